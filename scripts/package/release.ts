// Builds the release archives: compiles the daemon (tsc emit), builds the UI (vite), picks the
// production dependencies from the lockfile, then writes one reproducible tar.gz per architecture
// whose only difference is bin/node and release.json. Layout and decisions: docs/install.md.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { isElf } from './elf.ts';
import { pinnedNode, type Arch } from './node-binary.ts';
import { isNativeAddon, keepPackageFile, selectProductionPackages, type Lockfile } from './select-files.ts';
import { writeTarGz, type ArchiveEntry } from './tarball.ts';

const run = promisify(execFile);

export interface BuildOptions {
  root: string;
  out: string;
  arches: Arch[];
  /** Seconds since the epoch for every entry's mtime: SOURCE_DATE_EPOCH, else the commit's time. */
  sourceDateEpoch: number;
  commit: string;
  dirty: boolean;
  cacheDir: string;
  log: (line: string) => void;
}

export interface BuiltArchive {
  arch: Arch;
  file: string;
  bytes: number;
  sha256: string;
  entries: number;
}

interface FileInput {
  /** Path inside the release folder. */
  path: string;
  mode: number;
  source: { file: string; size: number } | { data: Buffer };
}

async function sha256(source: FileInput['source']): Promise<string> {
  const hash = createHash('sha256');
  if ('data' in source) hash.update(source.data);
  else await pipeline(createReadStream(source.file), hash);
  return hash.digest('hex');
}

/** Every regular file under `dir`, as paths relative to it; links and devices stop the build. */
async function walk(dir: string, relative = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, relative), { withFileTypes: true })) {
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(dir, rel)));
    else if (entry.isFile()) out.push(rel);
    else throw new Error(`${path.join(dir, rel)}: neither a file nor a folder; releases carry no links`);
  }
  return out;
}

async function fromDisk(file: string, archivePath: string, mode?: number): Promise<FileInput> {
  const info = await lstat(file);
  if (!info.isFile()) throw new Error(`${file} is not a regular file`);
  return { path: archivePath, mode: mode ?? (info.mode & 0o111 ? 0o755 : 0o644), source: { file, size: info.size } };
}

async function firstBytes(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64);
    const { bytesRead } = await handle.read(buffer, 0, 64, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function compileDaemon(root: string, work: string): Promise<FileInput[]> {
  const outDir = path.join(work, 'compiled');
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  await run(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', outDir], { cwd: root, maxBuffer: 16 << 20 });
  const files = await walk(outDir);
  if (!files.some((f) => f === 'daemon/src/cli.js')) throw new Error('tsc emitted no daemon/src/cli.js');
  const leftovers = files.filter((f) => !f.endsWith('.js'));
  if (leftovers.length) throw new Error(`tsc emitted more than JavaScript: ${leftovers.join(', ')}`);
  return Promise.all(files.map((f) => fromDisk(path.join(outDir, f), f, 0o644)));
}

async function buildUi(root: string, work: string): Promise<FileInput[]> {
  const outDir = path.join(work, 'ui');
  const vite = path.join(root, 'node_modules/vite/bin/vite.js');
  const args = ['build', '--config', path.join(root, 'ui/vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'];
  await run(process.execPath, [vite, ...args], { cwd: root, maxBuffer: 16 << 20 });
  return Promise.all((await walk(outDir)).map((f) => fromDisk(path.join(outDir, f), `ui/dist/${f}`, 0o644)));
}

async function dependencies(root: string, lock: Lockfile, log: (line: string) => void): Promise<FileInput[]> {
  const { folders, problems, omitted } = selectProductionPackages(lock);
  if (omitted.length > 0) log(`left out optional packages: ${omitted.join(', ')}`);
  const dropped = new Map<string, number>();
  const inputs: FileInput[] = [];
  for (const folder of folders) {
    for (const rel of await walk(path.join(root, folder))) {
      // A nested node_modules is its own lockfile entry (or a dev-only one): never ship it from here.
      if (rel.startsWith('node_modules/') || rel.includes('/node_modules/')) continue;
      const file = path.join(root, folder, rel);
      if (isNativeAddon(rel)) problems.push(`${folder}/${rel}: a native addon`);
      const verdict = keepPackageFile(rel);
      if (!verdict.keep) {
        dropped.set(verdict.reason, (dropped.get(verdict.reason) ?? 0) + 1);
        continue;
      }
      if (isElf(await firstBytes(file))) problems.push(`${folder}/${rel}: a native binary`);
      inputs.push(await fromDisk(file, `${folder}/${rel}`));
    }
  }
  if (problems.length) throw new Error(`production dependencies must be pure JavaScript:\n  ${problems.join('\n  ')}`);
  log(`dependencies: ${folders.length} packages, ${inputs.length} files; left out ${[...dropped].map(([r, n]) => `${n} ${r}`).join(', ')}`);
  return inputs;
}

/** The package.json a release carries: what Node needs (ESM, the version) and the dependency list. */
function releasePackageJson(pkg: Record<string, unknown>): Buffer {
  const { name, version, description, license, dependencies: deps } = pkg;
  return Buffer.from(`${JSON.stringify({ name, version, description, license, private: true, type: 'module', dependencies: deps }, null, 2)}\n`);
}

/** Directory entries for every parent of every file, then everything sorted by path components. */
function withDirectories(prefix: string, files: FileInput[]): ArchiveEntry[] {
  const dirs = new Set<string>([prefix]);
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`${prefix}/${parts.slice(0, i).join('/')}`);
  }
  const entries: ArchiveEntry[] = [
    ...[...dirs].map((d): ArchiveEntry => ({ path: d, type: 'directory', mode: 0o755 })),
    ...files.map((f): ArchiveEntry => ({ path: `${prefix}/${f.path}`, type: 'file', mode: f.mode, source: f.source })),
  ];
  const key = (p: string) => p.split('/');
  return entries.sort((a, b) => {
    const x = key(a.path);
    const y = key(b.path);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return x.length - y.length;
  });
}

export async function buildReleases(options: BuildOptions): Promise<BuiltArchive[]> {
  const { root, log } = options;
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown> & { version: string };
  const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8')) as Lockfile;
  const work = await mkdtemp(path.join(tmpdir(), 'outpost-package-'));
  try {
    log('compiling the daemon (tsc)');
    const daemon = await compileDaemon(root, work);
    log('building the UI (vite)');
    const ui = await buildUi(root, work);
    const deps = await dependencies(root, lock, log);
    const shipped = [
      'scripts/install.sh',
      'scripts/release/outpost',
      'scripts/release/outpost-kiosk-browser',
      'scripts/release/chromium.flags',
      'README.md',
      'docs/install.md',
    ];
    const systemdDir = path.join(root, 'systemd');
    const units = (await readdir(systemdDir)).filter((f) => /\.(service|socket|conf|rules)$/.test(f)).sort();
    // Outpost's two Kubernetes identities (read-only web, the agent's write rights): applied once per device.
    const k8sDir = path.join(root, 'scripts/k8s');
    const k8s = (await readdir(k8sDir)).filter((f) => f.endsWith('.yaml')).sort();
    const common: FileInput[] = [
      ...daemon,
      ...ui,
      ...deps,
      await fromDisk(path.join(root, shipped[0]!), 'install.sh', 0o755),
      await fromDisk(path.join(root, shipped[1]!), 'bin/outpost', 0o755),
      await fromDisk(path.join(root, shipped[2]!), 'libexec/outpost-kiosk-browser', 0o755),
      await fromDisk(path.join(root, shipped[3]!), 'kiosk/chromium.flags', 0o644),
      await fromDisk(path.join(root, shipped[4]!), 'README.md', 0o644),
      await fromDisk(path.join(root, shipped[5]!), 'docs/install.md', 0o644),
      ...(await Promise.all(units.map((u) => fromDisk(path.join(systemdDir, u), `systemd/${u}`, 0o644)))),
      ...(await Promise.all(k8s.map((f) => fromDisk(path.join(k8sDir, f), `k8s/${f}`, 0o644)))),
      { path: 'package.json', mode: 0o644, source: { data: releasePackageJson(pkg) } },
    ];
    const commonSums = new Map(await Promise.all(common.map(async (f) => [f.path, await sha256(f.source)] as const)));

    const built: BuiltArchive[] = [];
    for (const arch of options.arches) {
      const node = await pinnedNode({ root, lock, arch, cacheDir: options.cacheDir, log });
      log(`linux-${arch}: Node ${node.version} from ${node.origin}`);
      const { commit, dirty, sourceDateEpoch } = options;
      const release = { name: 'outpost', version: pkg.version, arch, os: 'linux', node: node.version, commit, dirty, sourceDateEpoch };
      const own: FileInput[] = [
        { path: 'bin/node', mode: 0o755, source: { data: node.bytes } },
        { path: 'release.json', mode: 0o644, source: { data: Buffer.from(`${JSON.stringify(release, null, 2)}\n`) } },
      ];
      const sums = new Map(commonSums);
      for (const f of own) sums.set(f.path, await sha256(f.source));
      const sumsText = [...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([p, h]) => `${h}  ${p}`).join('\n');
      const files = [...common, ...own, { path: 'SHA256SUMS', mode: 0o644, source: { data: Buffer.from(`${sumsText}\n`) } }];
      const name = `outpost-${pkg.version}-linux-${arch}`;
      const file = path.join(options.out, `${name}.tar.gz`);
      const entries = withDirectories(name, files);
      await writeTarGz(entries, file, options.sourceDateEpoch);
      const info = await stat(file);
      const digest = await sha256({ file, size: info.size });
      built.push({ arch, file, bytes: info.size, sha256: digest, entries: entries.length });
      log(`wrote ${path.relative(root, file) || file}: ${(info.size / 1048576).toFixed(1)} MiB, ${entries.length} entries, sha256 ${digest}`);
    }
    await writeArchiveSums(options.out, pkg.version);
    return built;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** out/SHA256SUMS over every archive of this version in `out` (so a second run for one arch keeps the other). */
async function writeArchiveSums(out: string, version: string): Promise<void> {
  const archives = (await readdir(out)).filter((f) => f.startsWith(`outpost-${version}-linux-`) && f.endsWith('.tar.gz')).sort();
  const lines = await Promise.all(archives.map(async (f) => `${await sha256({ file: path.join(out, f), size: 0 })}  ${f}`));
  await writeFile(path.join(out, 'SHA256SUMS'), `${lines.join('\n')}\n`);
}
