// I/O adapter: opens a bundle file for one sequential pass. Refuses symlinks, FIFOs, devices and
// directories (lstat, then open with O_NOFOLLOW|O_NONBLOCK and fstat the same inode), and reads
// ahead one large chunk so disk reads overlap hashing.
import { constants } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { BundleError } from './errors.ts';

export const READ_CHUNK_BYTES = 1024 * 1024;

export interface BundleFileSource {
  size: number;
  chunks: AsyncIterable<Buffer>;
  close(): Promise<void>;
}

function kindOf(stats: { isFile(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean; isDirectory(): boolean }): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isDirectory()) return 'a directory';
  return 'a device or socket';
}

export async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  let before;
  try {
    before = await lstat(path);
  } catch (error) {
    throw new BundleError('bundle.source_unreadable', `${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!before.isFile()) throw new BundleError('bundle.source_not_regular_file', `${path} is ${kindOf(before)}, not a regular file`);
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ELOOP' ? 'bundle.source_not_regular_file' : 'bundle.source_unreadable';
    throw new BundleError(code, `${path}: ${(error as Error).message}`, { cause: error });
  }
  const after = await handle.stat();
  if (!after.isFile() || after.ino !== before.ino || after.dev !== before.dev) {
    await handle.close();
    throw new BundleError('bundle.source_not_regular_file', `${path} changed while it was opened`);
  }
  return { handle, size: after.size };
}

async function* readAhead(handle: FileHandle, chunkBytes: number): AsyncGenerator<Buffer> {
  const readNext = () => handle.read(Buffer.allocUnsafe(chunkBytes), 0, chunkBytes, null);
  let pending = readNext();
  try {
    for (;;) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) return;
      pending = readNext();
      yield bytesRead === chunkBytes ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    // Let an outstanding read settle before the handle closes.
    await pending.catch(() => undefined);
  }
}

/** Opens `path` for one pass; the caller must close it (closing twice is harmless). */
export async function openBundleFile(path: string, chunkBytes = READ_CHUNK_BYTES): Promise<BundleFileSource> {
  const { handle, size } = await openRegularFile(path);
  let closed = false;
  return {
    size,
    chunks: readAhead(handle, chunkBytes),
    close: async () => {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}
