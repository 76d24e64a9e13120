// Adapter: what the agent reads on a mounted stick. It trusts no path it is handed: the mount point
// must be the named device, mounted read-only, nosuid, nodev, noexec (from /proc/self/mountinfo), and
// only regular files named *.outpost in the stick's root and its `outpost/` folder are looked at.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { OutpostError } from '../lib/errors.ts';
import { BUNDLE_FOLDER, MAX_FILES, SUPPORT_MARKER } from './stick-pure.ts';
import { parseMountinfo } from '../lib/mountinfo.ts';

export interface StickFile {
  /** Relative to the stick's root. */
  file: string;
  path: string;
}

export interface StickContents {
  files: StickFile[];
  /** The stick holds a file named `outpost-support` at its root. */
  supportRequested: boolean;
}

/** Refuses a mount point that is not `devicePath` mounted ro,nosuid,nodev,noexec. */
export async function checkStickMount(devicePath: string, mountPoint: string, mountinfo = '/proc/self/mountinfo'): Promise<void> {
  const mounts = parseMountinfo(await readFile(mountinfo, 'utf8'));
  const mount = mounts.filter((m) => m.mount === mountPoint).pop();
  if (!mount) throw new OutpostError('bad_request', `${mountPoint} is not a mount point`);
  if (mount.device !== devicePath) throw new OutpostError('bad_request', `${mountPoint} holds ${mount.device}, not ${devicePath}`);
  const missing = ['ro', 'nosuid', 'nodev', 'noexec'].filter((o) => !mount.options.has(o));
  if (missing.length > 0) throw new OutpostError('bad_request', `${mountPoint} is not mounted ${missing.join(', ')}`);
}

async function bundlesIn(dir: string, prefix: string): Promise<StickFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (prefix !== '' && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.outpost'))
    .map((e) => ({ file: prefix + e.name, path: path.join(dir, e.name) }))
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** Lists the stick's bundle files (at most MAX_FILES) and whether it asks for a support bundle. */
export async function readStickContents(mountPoint: string): Promise<StickContents> {
  const root = await readdir(mountPoint, { withFileTypes: true });
  const files = [...(await bundlesIn(mountPoint, '')), ...(await bundlesIn(path.join(mountPoint, BUNDLE_FOLDER), `${BUNDLE_FOLDER}/`))];
  return { files: files.slice(0, MAX_FILES), supportRequested: root.some((e) => e.name === SUPPORT_MARKER && e.isFile()) };
}
