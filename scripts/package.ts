// `npm run package`: the offline release archives, dist/outpost-<version>-linux-<x64|arm64>.tar.gz,
// and dist/SHA256SUMS. Same commit, same bytes (SOURCE_DATE_EPOCH defaults to the commit's time).
//   npm run package                          both architectures (the other Node comes from the registry)
//   npm run package -- --arch host --out DIR  only this machine's (what the tests build)
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hostArch, type Arch } from './package/node-binary.ts';
import { buildReleases } from './package/release.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: 'all' },
    out: { type: 'string', default: path.join(root, 'dist') },
    'cache-dir': { type: 'string', default: path.join(root, 'dist', 'cache') },
  },
  strict: true,
});

function arches(spec: string): Arch[] {
  if (spec === 'all') return ['x64', 'arm64'];
  if (spec === 'host') return [hostArch()];
  if (spec === 'x64' || spec === 'arm64') return [spec];
  throw new Error(`--arch must be x64, arm64, host or all, not ${spec}`);
}

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
}

const started = Date.now();
try {
  const commit = git(['rev-parse', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? git(['log', '-1', '--format=%ct']));
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`SOURCE_DATE_EPOCH must be whole seconds, not ${process.env.SOURCE_DATE_EPOCH}`);
  const out = path.resolve(values.out);
  mkdirSync(out, { recursive: true });
  const log = (line: string) => process.stdout.write(`package: ${line}\n`);
  if (dirty) log(`warning: the work tree has uncommitted changes; the archive is not the commit ${commit.slice(0, 12)}`);
  const cacheDir = path.resolve(values['cache-dir']);
  const built = await buildReleases({ root, out, arches: arches(values.arch), sourceDateEpoch: epoch, commit, dirty, cacheDir, log });
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${built.map((b) => path.basename(b.file)).join(', ')}`);
} catch (error) {
  process.stderr.write(`package: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
