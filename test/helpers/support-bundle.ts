// Reading a support bundle back in tests: gunzip, then every tar member with its header and bytes.
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar-stream';

export interface BundleMember {
  /** Path below the top folder. */
  path: string;
  top: string;
  size: number;
  mode: number;
  mtime: number;
  text: string;
}

export interface ReadBundle {
  gz: Buffer;
  tar: Buffer;
  members: BundleMember[];
  get(path: string): BundleMember | undefined;
  json<T = unknown>(path: string): T;
}

export async function readBundle(source: string | Buffer): Promise<ReadBundle> {
  const gz = typeof source === 'string' ? await readFile(source) : source;
  const tarBytes = gunzipSync(gz);
  const members: BundleMember[] = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        const [top = '', ...rest] = header.name.split('/');
        const text = Buffer.concat(chunks).toString('utf8');
        members.push({ path: rest.join('/'), top, size: header.size ?? 0, mode: header.mode ?? 0, mtime: header.mtime?.getTime() ?? 0, text });
        next();
      });
      stream.on('error', reject);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  Readable.from([tarBytes]).pipe(extract);
  await done;
  return {
    gz,
    tar: tarBytes,
    members,
    get: (path) => members.find((m) => m.path === path),
    json<T>(path: string): T {
      const member = members.find((m) => m.path === path);
      if (!member) throw new Error(`no ${path} in the bundle (has: ${members.map((m) => m.path).join(', ')})`);
      return JSON.parse(member.text) as T;
    },
  };
}
