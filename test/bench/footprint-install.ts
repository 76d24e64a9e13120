// The installed release the footprint bench measures: `npm run package` for this machine's
// architecture, unpacked, installed with its own install.sh into a temp tree (as test/release/
// does). OUTPOST_BENCH_ROOT=DIR reuses a tree installed before (with OUTPOST_BENCH_ARCHIVE=FILE
// naming its archive), so one can iterate on the bench without packaging each time.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildArchive, unpack } from '../release/build.ts';
import { installSh, outpostCommand } from '../release/installed.ts';

export interface InstalledTree {
  /** The --root tree; the command is <root>/opt/outpost/bin/outpost. */
  root: string;
  /** The release's own Node (every process of the bench runs on it: "the same Node"). */
  node: string;
  /** The release folder (compiled daemon, node_modules). */
  release: string;
  archive: { file: string; bytes: number } | null;
  /** How long packaging took (null when reused). */
  packageMs: number | null;
  remove(): void;
}

export async function installedTree(): Promise<InstalledTree> {
  const reuse = process.env.OUTPOST_BENCH_ROOT;
  if (reuse) {
    const archive = process.env.OUTPOST_BENCH_ARCHIVE;
    const release = path.join(reuse, 'opt/outpost/current');
    return {
      root: reuse,
      node: path.join(release, 'bin/node'),
      release,
      archive: archive ? { file: archive, bytes: statSync(archive).size } : null,
      packageMs: null,
      remove: () => undefined,
    };
  }
  const work = mkdtempSync(path.join(tmpdir(), 'outpost-bench-footprint-'));
  try {
    const started = Date.now();
    const { file } = await buildArchive(path.join(work, 'dist'));
    const packageMs = Date.now() - started;
    const unpacked = await unpack(file, work);
    const root = path.join(work, 'root');
    const install = await installSh(unpacked, ['--root', root, '--no-kiosk']);
    if (install.code !== 0) throw new Error(`install.sh failed (${install.code}): ${install.out}`);
    const release = path.join(root, 'opt/outpost/current');
    statSync(outpostCommand(root));
    return {
      root,
      node: path.join(release, 'bin/node'),
      release,
      archive: { file, bytes: statSync(file).size },
      packageMs,
      remove: () => rmSync(work, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}
