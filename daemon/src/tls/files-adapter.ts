// File access for the TLS capability: bounded reads, and atomic writes (temp file in the same
// folder, fsync, rename, fsync of the folder) so a crash leaves either the old file or the new one.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Certificates and keys are a few KiB; a chain of ten is well below this. */
export const MAX_PEM_BYTES = 1024 * 1024;

export type ReadOutcome = { ok: true; text: string } | { ok: false; reason: string; cause?: unknown };

/**
 * Reads a small regular file as UTF-8. `followSymlinks: false` refuses a symlink (used for the
 * daemon's own files, which it always writes as regular files).
 */
export async function readSmallFile(file: string, options: { followSymlinks: boolean }): Promise<ReadOutcome> {
  let info;
  try {
    info = options.followSymlinks ? await stat(file) : await lstat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`, cause: error };
  }
  if (info.isSymbolicLink()) return { ok: false, reason: 'is a symbolic link' };
  if (!info.isFile()) return { ok: false, reason: 'is not a regular file' };
  if (info.size > MAX_PEM_BYTES) return { ok: false, reason: `is larger than ${MAX_PEM_BYTES} bytes` };
  const flags = constants.O_RDONLY | (options.followSymlinks ? 0 : constants.O_NOFOLLOW);
  let handle;
  try {
    handle = await open(file, flags);
    const buffer = Buffer.alloc(MAX_PEM_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_PEM_BYTES) return { ok: false, reason: `is larger than ${MAX_PEM_BYTES} bytes` };
    }
    return { ok: true, text: buffer.subarray(0, length).toString('utf8') };
  } catch (error) {
    return { ok: false, reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, cause: error };
  } finally {
    await handle?.close();
  }
}

/** Creates the folder (and parents) and sets its mode exactly, whatever the umask or its old mode. */
export async function ensurePrivateFolder(folder: string, mode: number): Promise<void> {
  await mkdir(folder, { recursive: true, mode });
  const info = await lstat(folder);
  if (!info.isDirectory()) throw new Error(`${folder} is not a directory`);
  if ((info.mode & 0o777) !== mode) await chmod(folder, mode);
}

/** Tightens a file's mode to exactly `mode` (e.g. a key someone made readable). */
export async function ensureFileMode(file: string, mode: number): Promise<void> {
  const info = await lstat(file);
  if ((info.mode & 0o777) !== mode) await chmod(file, mode);
}

export async function fsyncFolder(folder: string): Promise<void> {
  const handle = await open(folder, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `file` atomically with `data` at exactly `mode`. A symlink at `file` is replaced, never followed. */
export async function writeFileAtomic(file: string, data: string, mode: number): Promise<void> {
  const folder = path.dirname(file);
  const temp = path.join(folder, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    try {
      await handle.chmod(mode);
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncFolder(folder);
}
