// `bundle build`: a folder of inputs -> one signed, reproducible bundle file. Inputs (see
// docs/bundle-format.md): bundle.yaml, NOTES.md, manifests/*.yaml, charts/*.tgz, images/*.tar.
// Payload order: the notes first (so `inspect` reads them without touching images), then
// manifests, charts and images, each sorted by file name.
import { createHash } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeBundleFile, type PayloadSource } from './bundle-writer.ts';
import { BundleError, isBundleError } from './errors.ts';
import { readChartArchive } from './chart-archive.ts';
import { readImageArchive } from './image-archive.ts';
import { parseBundleSpec, parseKubernetesManifest, type ManifestHead } from './parse-build-inputs.ts';
import { parseManifest, serializeManifest, validateManifest, type BundleFile, type BundleManifest, type FileRole } from './parse-manifest.ts';
import { serializeSignatures, signManifest, type SigningKey } from './signature-pure.ts';
import { openBundleFile, openRegularFile } from './source.ts';

export interface BuildOptions {
  from: string;
  keys: SigningKey[];
  out: string;
  sourceDateEpoch?: string | undefined;
  now?: Date;
}

export interface BuildResult {
  manifest: BundleManifest;
  bytes: number;
  signers: string[];
}

const TEXT_INPUT_MAX_BYTES = 16 * 1024 * 1024;
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function readText(path: string): Promise<string> {
  const { handle, size } = await openRegularFile(path).catch((error: unknown) => {
    throw new BundleError('bundle.build_input_invalid', isBundleError(error) ? error.message : String(error));
  });
  try {
    if (size > TEXT_INPUT_MAX_BYTES) throw new BundleError('bundle.build_input_invalid', `${path} is larger than ${TEXT_INPUT_MAX_BYTES} bytes`);
    return await handle.readFile({ encoding: 'utf8' });
  } finally {
    await handle.close();
  }
}

async function hashFile(path: string): Promise<{ size: number; sha256: string; head: Buffer }> {
  const input = await openBundleFile(path).catch((error: unknown) => {
    throw new BundleError('bundle.build_input_invalid', isBundleError(error) ? error.message : String(error));
  });
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  try {
    for await (const chunk of input.chunks) {
      if (size === 0) head = Buffer.from(chunk.subarray(0, 4));
      hash.update(chunk);
      size += chunk.length;
    }
  } finally {
    await input.close();
  }
  return { size, sha256: hash.digest('hex'), head };
}

async function listInputs(dir: string, suffixes: string[]): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.filter((n) => suffixes.some((s) => n.endsWith(s)) && !n.startsWith('.')).sort(byName);
}

async function describeFile(from: string, path: string, role: FileRole, head: ManifestHead): Promise<PayloadSource> {
  const source = join(from, path);
  const { size, sha256, head: magic } = await hashFile(source);
  const file: BundleFile = { path, size, sha256, role };
  if (role === 'manifest') file.objects = parseKubernetesManifest(await readText(source), path);
  if (role === 'chart') {
    if (!(magic[0] === 0x1f && magic[1] === 0x8b)) throw new BundleError('bundle.build_input_invalid', `${path}: not a gzip-compressed chart (.tgz)`);
    await readChartArchive(source);
  }
  if (role === 'image') {
    const facts = await readImageArchive(source);
    if (facts.platform.architecture !== head.requires.architecture) {
      throw new BundleError('bundle.image_invalid', `${path}: the image is for ${facts.platform.architecture}, the bundle requires ${head.requires.architecture}`);
    }
    file.references = facts.references;
    file.platform = facts.platform;
  }
  return { ...file, source };
}

export async function collectPayload(from: string, head: ManifestHead): Promise<PayloadSource[]> {
  const payload: PayloadSource[] = [];
  const notes = await lstat(join(from, 'NOTES.md')).catch(() => null);
  if (notes) payload.push(await describeFile(from, 'NOTES.md', 'doc', head));
  for (const name of await listInputs(join(from, 'manifests'), ['.yaml', '.yml'])) payload.push(await describeFile(from, `manifests/${name}`, 'manifest', head));
  for (const name of await listInputs(join(from, 'charts'), ['.tgz'])) payload.push(await describeFile(from, `charts/${name}`, 'chart', head));
  for (const name of await listInputs(join(from, 'images'), ['.tar'])) payload.push(await describeFile(from, `images/${name}`, 'image', head));
  return payload;
}

export function assembleManifest(head: ManifestHead, files: BundleFile[]): BundleManifest {
  const { annotations, sequenceFloor, ...rest } = head;
  const ordered = {
    format: rest.format,
    name: rest.name,
    version: rest.version,
    sequence: rest.sequence,
    ...(sequenceFloor !== undefined ? { sequenceFloor } : {}),
    created: rest.created,
    expires: rest.expires,
    requires: rest.requires,
    files: files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, role: f.role, ...(f.references ? { references: f.references } : {}), ...(f.platform ? { platform: f.platform } : {}), ...(f.objects ? { objects: f.objects } : {}) })),
    ...(annotations !== undefined ? { annotations } : {}),
  };
  return asBuildInput(() => validateManifest(JSON.parse(JSON.stringify(ordered))));
}

/** The manifest's canonical bytes, read back the way a device reads them: inputs whose values have no canonical spelling fail here. */
export function canonicalManifestBytes(manifest: BundleManifest): Buffer {
  const bytes = serializeManifest(manifest);
  asBuildInput(() => parseManifest(bytes));
  return bytes;
}

function asBuildInput<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!isBundleError(error)) throw error;
    throw new BundleError('bundle.build_input_invalid', error.message.replace(/^manifest\.json: /, 'bundle.yaml or inputs: '), { cause: error });
  }
}

export async function buildBundle(options: BuildOptions): Promise<BuildResult> {
  if (options.keys.length === 0) throw new BundleError('bundle.key_invalid', 'at least one signing key is needed');
  const head = parseBundleSpec(await readText(join(options.from, 'bundle.yaml')), { sourceDateEpoch: options.sourceDateEpoch, now: options.now ?? new Date() });
  const payload = await collectPayload(options.from, head);
  const manifest = assembleManifest(head, payload);
  const manifestBytes = canonicalManifestBytes(manifest);
  const keys = [...new Map(options.keys.map((k) => [k.keyId, k])).values()];
  const signatureBytes = serializeSignatures(signManifest(manifestBytes, keys));
  const bytes = await writeBundleFile(options.out, manifestBytes, signatureBytes, payload);
  return { manifest, bytes, signers: keys.map((k) => k.keyId).sort(byName) };
}
