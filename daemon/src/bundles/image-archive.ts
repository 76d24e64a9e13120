// Builder-side adapter: reads an image archive (OCI layout as `skopeo copy ... oci-archive:` writes
// it, or `docker save`'s docker-archive) with tar-stream, keeping only small JSON members in memory
// (bounded), and reports the references and platform to record in the manifest. It never extracts.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import * as tar from 'tar-stream';
import { BundleError } from './errors.ts';
import { resolveImageArchive, type ImageFacts } from './parse-image-archive.ts';

const SMALL_MEMBER_BYTES = 4 * 1024 * 1024;
const SMALL_TOTAL_BYTES = 64 * 1024 * 1024;

export async function readImageArchive(path: string): Promise<ImageFacts> {
  const small = new Map<string, Buffer>();
  const names = new Set<string>();
  let kept = 0;
  const extract = tar.extract();
  const input = createReadStream(path);
  input.on('error', (error) => extract.destroy(error));
  input.pipe(extract);
  try {
    for await (const entry of extract) {
      const name = entry.header.name.replace(/^(\.\/)+/, '');
      names.add(name);
      const size = entry.header.size ?? 0;
      const wanted = entry.header.type === 'file' && size <= SMALL_MEMBER_BYTES && kept + size <= SMALL_TOTAL_BYTES && (name.endsWith('.json') || name === 'oci-layout' || name.startsWith('blobs/'));
      if (!wanted) {
        entry.resume();
        continue;
      }
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      const body = Buffer.concat(parts);
      kept += body.length;
      small.set(name, body);
    }
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new BundleError('bundle.image_invalid', `${basename(path)}: not a readable tar archive (${(error as Error).message})`, { cause: error });
  } finally {
    input.destroy();
  }
  return resolveImageArchive(basename(path), { names, small });
}
