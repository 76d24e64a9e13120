// The manifest schema (format v1) and its strict reading: bytes -> BundleManifest or BundleError.
// Pure. Unknown fields are refused everywhere except inside `annotations`. See docs/bundle-format.md.
import * as semver from 'semver';
import { z } from 'zod';
import { BundleError } from './errors.ts';
import { parseStrictJson, StrictJsonError } from './parse-strict-json.ts';

export const MANIFEST_FORMAT = 'outpost-bundle/v1';
export const MANIFEST_MAX_BYTES = 1024 * 1024;
export const MANIFEST_MAX_DEPTH = 32;
export const MANIFEST_MAX_FILES = 4096;
/** Payload paths fit the 100-byte ustar name field, so no extended headers are ever needed. */
export const PAYLOAD_PATH_MAX_BYTES = 100;

export const ARCHITECTURES = ['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64'] as const;
export const FILE_ROLES = ['image', 'manifest', 'chart', 'doc'] as const;
export type FileRole = (typeof FILE_ROLES)[number];

const PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const SHA256 = /^[0-9a-f]{64}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const shortText = z.string().min(1).max(256);
const timestamp = z.string().regex(TIMESTAMP, 'must be a UTC timestamp like 2026-01-31T12:00:00Z').refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date');

const platformSchema = z.strictObject({ os: shortText, architecture: shortText, variant: shortText.optional() });
const objectRefSchema = z.strictObject({ apiVersion: shortText, kind: shortText, name: shortText, namespace: shortText.optional() });

const fileSchema = z.strictObject({
  path: z.string().min(1).max(PAYLOAD_PATH_MAX_BYTES),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  sha256: z.string().regex(SHA256, 'must be 64 lowercase hex digits'),
  role: z.enum(FILE_ROLES),
  references: z.array(shortText).min(1).max(64).optional(),
  platform: platformSchema.optional(),
  objects: z.array(objectRefSchema).max(4096).optional(),
});

const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  name: z.string().regex(NAME, 'must be a DNS label (lowercase letters, digits, "-")'),
  version: z.string().max(128).refine((v) => semver.valid(v) === v, 'must be a semantic version'),
  sequence: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  sequenceFloor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  created: timestamp,
  expires: timestamp,
  requires: z.strictObject({
    architecture: z.enum(ARCHITECTURES),
    kubernetes: z.string().min(1).max(256).refine((r) => semver.validRange(r) !== null, 'must be a semver range'),
    outpost: z.string().max(128).refine((v) => semver.valid(v) === v, 'must be a semantic version'),
  }),
  files: z.array(fileSchema).max(MANIFEST_MAX_FILES),
  annotations: z.record(z.string().max(256), z.unknown()).optional(),
});

export type BundleManifest = z.infer<typeof manifestSchema>;
export type BundleFile = BundleManifest['files'][number];

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out === '' ? '$' : out;
}

/** Why a payload path is unsafe, or null when it is a plain relative path. Shared with the tar checks. */
export function unsafePathReason(path: string): string | null {
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'is absolute';
  if (path.includes('\0')) return 'contains a NUL byte';
  for (const segment of path.split('/')) {
    if (segment === '..' || segment === '.') return `has a "${segment}" segment`;
    if (!PATH_SEGMENT.test(segment)) return `has a segment outside [A-Za-z0-9._-]: ${JSON.stringify(segment)}`;
  }
  if (Buffer.byteLength(path) > PAYLOAD_PATH_MAX_BYTES) return `is longer than ${PAYLOAD_PATH_MAX_BYTES} bytes`;
  return null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict JSON (no duplicate keys, bounded depth), UTF-8 only. Codes name manifest problems. */
export function parseManifestJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new BundleError('bundle.manifest_invalid_json', 'manifest.json is not valid UTF-8', { member: 'manifest.json' });
  }
  try {
    return parseStrictJson(text, { maxDepth: MANIFEST_MAX_DEPTH });
  } catch (error) {
    if (!(error instanceof StrictJsonError)) throw error;
    const code = error.problem === 'duplicate_key' ? 'bundle.manifest_duplicate_key' : error.problem === 'too_deep' ? 'bundle.manifest_too_deep' : 'bundle.manifest_invalid_json';
    throw new BundleError(code, `manifest.json: ${error.path}: ${error.message}`, { member: 'manifest.json' });
  }
}

/** Checks a parsed manifest against the schema and the rules the schema alone cannot say. */
export function validateManifest(value: unknown): BundleManifest {
  const result = manifestSchema.safeParse(value);
  if (!result.success) {
    const unknownKeys = result.error.issues.find((i) => i.code === 'unrecognized_keys');
    if (unknownKeys) {
      const where = fieldPath(unknownKeys.path);
      throw new BundleError('bundle.manifest_unknown_field', `manifest.json: unknown field ${unknownKeys.keys.map((k) => JSON.stringify(k)).join(', ')} in ${where}`, { member: 'manifest.json' });
    }
    const first = result.error.issues[0];
    const where = first ? fieldPath(first.path) : '$';
    throw new BundleError('bundle.manifest_invalid', `manifest.json: ${where}: ${first?.message ?? 'invalid'}`, { member: 'manifest.json' });
  }
  const manifest = result.data;
  const invalid = (field: string, message: string): never => {
    throw new BundleError('bundle.manifest_invalid', `manifest.json: ${field}: ${message}`, { member: 'manifest.json' });
  };
  if (Date.parse(manifest.expires) <= Date.parse(manifest.created)) invalid('expires', 'must be later than created');
  if (manifest.sequenceFloor !== undefined && manifest.sequenceFloor > manifest.sequence) invalid('sequenceFloor', 'must not exceed sequence');
  const seen = new Set<string>();
  let total = 0;
  manifest.files.forEach((file, i) => {
    const reason = unsafePathReason(file.path);
    if (reason) invalid(`files[${i}].path`, `${JSON.stringify(file.path)} ${reason}`);
    if (file.path === 'manifest.json' || file.path === 'manifest.sig') invalid(`files[${i}].path`, 'is a reserved name');
    if (seen.has(file.path)) {
      throw new BundleError('bundle.manifest_duplicate_path', `manifest.json: files[${i}].path: ${JSON.stringify(file.path)} is listed twice`, { member: 'manifest.json' });
    }
    seen.add(file.path);
    const isImage = file.role === 'image';
    if (isImage && (!file.references || !file.platform)) invalid(`files[${i}]`, 'an image needs references and platform');
    if (!isImage && (file.references || file.platform)) invalid(`files[${i}]`, 'only images have references and platform');
    if (file.role !== 'manifest' && file.objects) invalid(`files[${i}].objects`, 'only Kubernetes manifests list objects');
    total += file.size;
    if (total > Number.MAX_SAFE_INTEGER) invalid(`files[${i}].size`, 'sizes add up beyond 2^53');
  });
  return manifest;
}

export function parseManifest(bytes: Uint8Array): BundleManifest {
  if (bytes.length > MANIFEST_MAX_BYTES) {
    throw new BundleError('bundle.manifest_too_large', `manifest.json is ${bytes.length} bytes, more than ${MANIFEST_MAX_BYTES}`, { member: 'manifest.json' });
  }
  return validateManifest(parseManifestJson(bytes));
}

/** The canonical bytes the builder writes and signs: fixed key order, two-space indent, final newline. */
export function serializeManifest(manifest: BundleManifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
}
