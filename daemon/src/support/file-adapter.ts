// Adapter: a support bundle written to a file, atomically: into a temp file beside the target
// (mode 0600: the bundle is diagnostic data), fsync, rename, fsync of the folder. A cancelled or
// failed write leaves nothing behind, and an existing file is never replaced. `dest` may be a folder
// (a USB stick's root): the bundle then gets its own name inside it.
import { createWriteStream } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openSupportBundle, type SupportBundleSpec } from './archive-adapter.ts';
import type { SupportBundleSummary } from './types.ts';

export interface WrittenBundle extends SupportBundleSummary {
  /** Where the bundle is. */
  path: string;
  /** Size of the .tar.gz file. */
  fileBytes: number;
}

async function kindOf(p: string): Promise<'folder' | 'other' | 'none'> {
  try {
    return (await stat(p)).isDirectory() ? 'folder' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw error;
  }
}

async function refuseExisting(target: string): Promise<void> {
  if ((await kindOf(target)) !== 'none') throw new Error(`${target} already exists; name a new file or a folder`);
}

export async function writeSupportBundleFile(dest: string, spec: SupportBundleSpec, signal: AbortSignal): Promise<WrittenBundle> {
  const controller = new AbortController();
  const both = AbortSignal.any([signal, controller.signal]);
  const into = (await kindOf(dest)) === 'folder';
  const bundle = openSupportBundle(spec, both);
  const target = into ? path.join(dest, bundle.fileName) : path.resolve(dest);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`);
  try {
    await refuseExisting(target);
    await pipeline(bundle.stream, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
    const summary = await bundle.done;
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await refuseExisting(target);
    await rename(temp, target);
    const folder = await open(path.dirname(target), 'r');
    // Some file systems (a FAT stick) cannot fsync a folder (EINVAL); the rename is then all there is.
    await folder.sync().catch((error: NodeJS.ErrnoException) => (error.code === 'EINVAL' ? undefined : Promise.reject(error))).finally(() => folder.close());
    return { ...summary, path: target, fileBytes: (await stat(target)).size };
  } catch (error) {
    controller.abort(error);
    await bundle.done.catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
