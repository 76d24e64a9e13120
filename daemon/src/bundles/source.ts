// I/O adapter: opens a bundle file for one sequential pass. Refuses symlinks, FIFOs, devices and
// directories (lstat, then open with O_NOFOLLOW|O_NONBLOCK and fstat the same inode), and reads
// ahead one large chunk so disk reads overlap hashing.
import { constants } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { BundleError } from './errors.ts';

export const READ_CHUNK_BYTES = 1024 * 1024;
/** Reads in flight ahead of the consumer. */
const READS_AHEAD = 2;
/**
 * Staging writes the verifier may keep in flight (verify.ts), each holding a slice of a chunk.
 * Reads plus writes stay within libuv's default pool of 4 threads, so reads never queue behind writes.
 */
export const WRITES_IN_FLIGHT = 2;
/** A reused buffer is read into again only when neither the consumer nor a pending write can hold it. */
const RING_SIZE = READS_AHEAD + WRITES_IN_FLIGHT + 2;

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

/**
 * Reads ahead one chunk into a small ring of reused buffers (no allocation, no garbage, flat RSS).
 * Contract: a yielded chunk stays valid until the consumer has asked for WRITES_IN_FLIGHT + 1 more
 * chunks; the verifier keeps at most WRITES_IN_FLIGHT staging writes pending (verify.ts).
 */
async function* readAhead(handle: FileHandle, chunkBytes: number): AsyncGenerator<Buffer> {
  const ring = Array.from({ length: RING_SIZE }, () => Buffer.allocUnsafeSlow(chunkBytes));
  let turn = 0;
  let position = 0;
  const readNext = () => {
    const buffer = ring[turn++ % ring.length] as Buffer;
    const at = position;
    position += chunkBytes;
    return handle.read(buffer, 0, chunkBytes, at);
  };
  const pending = Array.from({ length: READS_AHEAD }, readNext);
  try {
    for (;;) {
      const { bytesRead, buffer } = await (pending.shift() as ReturnType<typeof readNext>);
      if (bytesRead === 0) return;
      if (bytesRead < chunkBytes) {
        yield buffer.subarray(0, bytesRead);
        return;
      }
      pending.push(readNext());
      yield buffer;
    }
  } finally {
    // Let outstanding reads settle before the handle closes.
    await Promise.allSettled(pending);
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
