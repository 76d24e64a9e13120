// I/O adapter: writes a format-v1 tar reproducibly (ustar headers with mode 0644, uid/gid 0,
// mtime 0, no user names; members in the given order; two zero blocks at the end, no record
// padding) to a temp file beside the target, then fsync and rename. Payload files are hashed again
// while copied, so a file changed since the manifest was made fails the build.
import { createHash } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { BundleError } from './errors.ts';
import type { BundleFile } from './parse-manifest.ts';
import { openBundleFile } from './source.ts';
import { encodeHeader, END_OF_ARCHIVE_BYTES, padding } from './tar-header-pure.ts';

export interface PayloadSource extends BundleFile {
  /** The input file on the builder's disk. */
  source: string;
}

export async function writeBundleFile(out: string, manifestBytes: Buffer, signatureBytes: Buffer, payload: PayloadSource[]): Promise<number> {
  const temp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  let written = 0;
  const write = async (bytes: Uint8Array) => {
    let done = 0;
    while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
    written += bytes.length;
  };
  const writeMember = async (name: string, size: number, body: (() => Promise<void>) | Buffer) => {
    await write(encodeHeader({ name, size }));
    if (Buffer.isBuffer(body)) await write(body);
    else await body();
    await write(Buffer.alloc(padding(size)));
  };
  try {
    await writeMember('manifest.json', manifestBytes.length, manifestBytes);
    await writeMember('manifest.sig', signatureBytes.length, signatureBytes);
    for (const file of payload) {
      await writeMember(file.path, file.size, async () => {
        const input = await openBundleFile(file.source);
        const hash = createHash('sha256');
        let size = 0;
        try {
          for await (const chunk of input.chunks) {
            size += chunk.length;
            if (size > file.size) break;
            const pending = write(chunk);
            hash.update(chunk);
            await pending;
          }
        } finally {
          await input.close();
        }
        if (size !== file.size || hash.digest('hex') !== file.sha256) {
          throw new BundleError('bundle.build_input_invalid', `${file.source} changed while the bundle was being written`);
        }
      });
    }
    await write(Buffer.alloc(END_OF_ARCHIVE_BYTES));
    await handle.sync();
    await handle.close();
    await rename(temp, out);
    const dir = await open(dirname(out), 'r');
    await dir.sync().finally(() => dir.close());
    return written;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
