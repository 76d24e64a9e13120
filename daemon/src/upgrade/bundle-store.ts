// Adapter: the agent's own copies of bundles, `<home>/bundles/<id>/` (manifest.json, manifest.sig,
// NNNN.blob), and `<home>/bundles/incoming/` where the verifier stages. A verified staging folder
// is renamed into place (same file system, atomic) and the parent fsynced; nothing here follows a
// link or trusts a name from the archive. Reads are bounded.
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { parse as parseYaml } from 'yaml';
import { blobName, evaluateSignatures, parseManifest, parseSignatures, type BundleManifest, type TrustPolicy } from '../bundles/index.ts';

const MAX_TEXT_BYTES = 16 << 20;
const MAX_CHART_BYTES = 32 << 20;
const ID = /^[0-9a-f]{16}$/;

export interface StagedBundle {
  manifest: BundleManifest;
  manifestBytes: Buffer;
  /** Key ids whose signatures count under the current trust. */
  signers: string[];
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readBounded(file: string, max: number): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Error(`${path.basename(file)} is not a regular file`);
    if (info.size > max) throw new Error(`${path.basename(file)} is ${info.size} bytes, more than ${max}`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export class BundleStore {
  readonly root: string;
  readonly incoming: string;

  constructor(home: string) {
    this.root = path.join(home, 'bundles');
    this.incoming = path.join(this.root, 'incoming');
  }

  async ensure(): Promise<void> {
    await mkdir(this.incoming, { recursive: true, mode: 0o700 });
  }

  dir(id: string): string {
    if (!ID.test(id)) throw new Error(`not a bundle id: ${id}`);
    return path.join(this.root, id);
  }

  blobPath(id: string, index: number): string {
    return path.join(this.dir(id), blobName(index));
  }

  async has(id: string): Promise<boolean> {
    return stat(this.dir(id)).then(
      (s) => s.isDirectory(),
      () => false,
    );
  }

  /** Moves a verified staging folder to `<root>/<id>`; when the id is already there, drops the staging. */
  async adopt(stagingDir: string, id: string): Promise<void> {
    if (await this.has(id)) {
      await rm(stagingDir, { recursive: true, force: true });
      return;
    }
    await rename(stagingDir, this.dir(id));
    await syncDir(this.root);
  }

  /** Reads the staged manifest again and checks its signatures against the trust as it is now. */
  async recheck(id: string, trust: TrustPolicy): Promise<StagedBundle> {
    const dir = this.dir(id);
    const manifestBytes = await readBounded(path.join(dir, 'manifest.json'), 1 << 20);
    const signers = evaluateSignatures(parseSignatures(await readBounded(path.join(dir, 'manifest.sig'), 64 << 10)), manifestBytes, trust);
    return { manifest: parseManifest(manifestBytes), manifestBytes, signers };
  }

  async manifest(id: string): Promise<BundleManifest> {
    return parseManifest(await readBounded(path.join(this.dir(id), 'manifest.json'), 1 << 20));
  }

  async text(id: string, index: number): Promise<string> {
    return (await readBounded(this.blobPath(id, index), MAX_TEXT_BYTES)).toString('utf8');
  }

  async bytes(id: string, index: number): Promise<Buffer> {
    return readBounded(this.blobPath(id, index), MAX_CHART_BYTES);
  }

  async remove(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }

  /** Removes interrupted stagings and bundle folders no record names. Returns what it removed. */
  async sweep(known: ReadonlySet<string>): Promise<string[]> {
    await this.ensure();
    const removed: string[] = [];
    for (const entry of await readdir(this.incoming)) {
      await rm(path.join(this.incoming, entry), { recursive: true, force: true });
      removed.push(`incoming/${entry}`);
    }
    for (const entry of await readdir(this.root)) {
      if (entry === 'incoming' || known.has(entry)) continue;
      await rm(path.join(this.root, entry), { recursive: true, force: true });
      removed.push(entry);
    }
    return removed;
  }

  async ids(): Promise<string[]> {
    await this.ensure();
    return (await readdir(this.root)).filter((e) => ID.test(e));
  }
}

/** Chart.yaml's name and version from a chart .tgz held in memory (bounded by the caller). */
export async function chartFacts(tgz: Buffer): Promise<{ name: string; version: string }> {
  const extract = tar.extract();
  Readable.from([gunzipSync(tgz, { maxOutputLength: 256 << 20 })]).pipe(extract);
  let facts: { name: string; version: string } | null = null;
  for await (const entry of extract) {
    if (!facts && entry.header.type === 'file' && /^[^/]+\/Chart\.yaml$/.test(entry.header.name) && (entry.header.size ?? 0) < 1 << 20) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      const chart = parseYaml(Buffer.concat(parts).toString('utf8')) as Record<string, unknown> | null;
      if (typeof chart?.name === 'string' && typeof chart.version === 'string') facts = { name: chart.name, version: chart.version };
    } else entry.resume();
  }
  if (!facts) throw new Error('the chart holds no <chart>/Chart.yaml with a name and version');
  return facts;
}

export async function readIfExists(file: string): Promise<string | null> {
  return readFile(file, 'utf8').catch(() => null);
}
