// Builds a release archive for this machine's architecture with the real `npm run package` script,
// and unpacks one (GNU tar, on an archive this test built itself).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/daemon.ts';

const run = promisify(execFile);

export const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
export const ARCH = process.arch;

export function archiveName(arch = ARCH): string {
  return `outpost-${VERSION}-linux-${arch}`;
}

/** SOURCE_DATE_EPOCH the build uses: the environment's, else the last commit's time. */
export async function expectedEpoch(): Promise<number> {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  const { stdout } = await run('git', ['log', '-1', '--format=%ct'], { cwd: ROOT });
  return Number(stdout.trim());
}

/** `node scripts/package.ts --arch host --out DIR`, with a umask and time zone of the caller's choosing. */
export async function buildArchive(out: string, options: { umask?: string; tz?: string } = {}): Promise<{ file: string; log: string }> {
  const script = `umask ${options.umask ?? '022'} && exec "$0" scripts/package.ts --arch host --out "$1" --cache-dir "$1/cache"`;
  const { stdout, stderr } = await run('sh', ['-c', script, process.execPath, out], {
    cwd: ROOT,
    env: { ...process.env, TZ: options.tz ?? process.env.TZ ?? 'UTC' },
    timeout: 600_000,
    maxBuffer: 16 << 20,
  });
  return { file: path.join(out, `${archiveName()}.tar.gz`), log: stdout + stderr };
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export async function unpack(archive: string, into: string): Promise<string> {
  await run('tar', ['-xzf', archive, '-C', into], { timeout: 120_000 });
  return path.join(into, archiveName());
}
