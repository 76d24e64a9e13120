// The manifest schema (format v1) and its strict reading: bytes -> BundleManifest or BundleError.
// Pure. The bytes must be the canonical form (parse-strict-json.ts checks the spelling as it reads,
// then the whole text is compared with the re-serialisation of what was read, so there is exactly
// one manifest.json per meaning). Unknown fields are refused everywhere except inside
// `annotations`. See docs/bundle-format.md.
import * as semver from 'semver';
import { z } from 'zod';
import { serializeCanonicalJson, type JsonShape } from './canonical-json-pure.ts';
import { BundleError, type BundleErrorCode } from './errors.ts';
import { parseStrictJson, StrictJsonError, type StrictJsonProblem } from './parse-strict-json.ts';
import { PAYLOAD_PATH_MAX_BYTES, pathCollision, quoteName, RESERVED_NAMES, unsafePathReason } from './payload-paths-pure.ts';

export const MANIFEST_FORMAT = 'outpost-bundle/v1';
export const MANIFEST_MAX_BYTES = 1024 * 1024;
export const MANIFEST_MAX_DEPTH = 32;
export const MANIFEST_MAX_FILES = 4096;

export const ARCHITECTURES = ['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64'] as const;
export const FILE_ROLES = ['image', 'manifest', 'chart', 'doc'] as const;
export type FileRole = (typeof FILE_ROLES)[number];

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

const requiresSchema = z.strictObject({
  architecture: z.enum(ARCHITECTURES),
  kubernetes: z.string().min(1).max(256).refine((r) => semver.validRange(r) !== null, 'must be a semver range'),
  outpost: z.string().max(128).refine((v) => semver.valid(v) === v, 'must be a semantic version'),
});

const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  name: z.string().regex(NAME, 'must be a DNS label (lowercase letters, digits, "-")'),
  version: z.string().max(128).refine((v) => semver.valid(v) === v, 'must be a semantic version'),
  sequence: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  sequenceFloor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  created: timestamp,
  expires: timestamp,
  requires: requiresSchema,
  files: z.array(fileSchema).max(MANIFEST_MAX_FILES),
  annotations: z.record(z.string().max(256), z.unknown()).optional(),
});

export type BundleManifest = z.infer<typeof manifestSchema>;
export type BundleFile = BundleManifest['files'][number];

/** Canonical field order: the schema's declaration order (the order of the tables in the docs). */
function shapeOf(schema: { shape: object }, nested: Record<string, JsonShape> = {}): JsonShape {
  return { fields: Object.fromEntries(Object.keys(schema.shape).map((key) => [key, nested[key] ?? 'free'])) };
}
const FILE_SHAPE = shapeOf(fileSchema, { platform: shapeOf(platformSchema), objects: { items: shapeOf(objectRefSchema) } });
export const MANIFEST_SHAPE = shapeOf(manifestSchema, { requires: shapeOf(requiresSchema), files: { items: FILE_SHAPE } });

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out === '' ? '$' : out;
}

// ignoreBOM: a byte-order mark is refused below, never silently skipped.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const member = 'manifest.json';
const BYTE_ORDER_MARKS = [[0xef, 0xbb, 0xbf], [0xfe, 0xff], [0xff, 0xfe]];
const JSON_PROBLEM_CODES: Record<StrictJsonProblem, BundleErrorCode> = {
  syntax: 'bundle.manifest_invalid_json',
  duplicate_key: 'bundle.manifest_duplicate_key',
  too_deep: 'bundle.manifest_too_deep',
  invalid_unicode: 'bundle.manifest_invalid_unicode',
  number_form: 'bundle.manifest_number_form',
  escape_form: 'bundle.manifest_escape_form',
  whitespace: 'bundle.manifest_whitespace',
};

/** Strict canonical JSON (no duplicate keys, bounded depth, one spelling), UTF-8 without a BOM. */
export function parseManifestJson(bytes: Uint8Array): unknown {
  if (BYTE_ORDER_MARKS.some((mark) => mark.every((byte, i) => bytes[i] === byte))) {
    throw new BundleError('bundle.manifest_byte_order_mark', 'manifest.json starts with a byte-order mark', { member });
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new BundleError('bundle.manifest_invalid_json', 'manifest.json is not valid UTF-8', { member });
  }
  try {
    return parseStrictJson(text, { maxDepth: MANIFEST_MAX_DEPTH, canonical: true });
  } catch (error) {
    if (!(error instanceof StrictJsonError)) throw error;
    throw new BundleError(JSON_PROBLEM_CODES[error.problem], `manifest.json: ${error.path}: ${error.message}`, { member });
  }
}

/** Checks a parsed manifest against the schema and the rules the schema alone cannot say. */
export function validateManifest(value: unknown): BundleManifest {
  const result = manifestSchema.safeParse(value);
  if (!result.success) {
    const unknownKeys = result.error.issues.find((i) => i.code === 'unrecognized_keys');
    if (unknownKeys) {
      const where = fieldPath(unknownKeys.path);
      throw new BundleError('bundle.manifest_unknown_field', `manifest.json: unknown field ${unknownKeys.keys.map((k) => JSON.stringify(k)).join(', ')} in ${where}`, { member });
    }
    const first = result.error.issues[0];
    const where = first ? fieldPath(first.path) : '$';
    throw new BundleError('bundle.manifest_invalid', `manifest.json: ${where}: ${first?.message ?? 'invalid'}`, { member });
  }
  const manifest = result.data;
  const invalid = (field: string, message: string): never => {
    throw new BundleError('bundle.manifest_invalid', `manifest.json: ${field}: ${message}`, { member });
  };
  if (Date.parse(manifest.expires) <= Date.parse(manifest.created)) invalid('expires', 'must be later than created');
  if (manifest.sequenceFloor !== undefined && manifest.sequenceFloor > manifest.sequence) invalid('sequenceFloor', 'must not exceed sequence');
  const seen = new Set<string>();
  let total = 0;
  manifest.files.forEach((file, i) => {
    const reason = unsafePathReason(file.path);
    if (reason) invalid(`files[${i}].path`, `${quoteName(file.path)} ${reason}`);
    if ((RESERVED_NAMES as readonly string[]).includes(file.path)) invalid(`files[${i}].path`, 'is a reserved name');
    if (seen.has(file.path)) {
      throw new BundleError('bundle.manifest_duplicate_path', `manifest.json: files[${i}].path: ${quoteName(file.path)} is listed twice`, { member });
    }
    seen.add(file.path);
    const isImage = file.role === 'image';
    if (isImage && (!file.references || !file.platform)) invalid(`files[${i}]`, 'an image needs references and platform');
    if (!isImage && (file.references || file.platform)) invalid(`files[${i}]`, 'only images have references and platform');
    if (file.role !== 'manifest' && file.objects) invalid(`files[${i}].objects`, 'only Kubernetes manifests list objects');
    total += file.size;
    if (total > Number.MAX_SAFE_INTEGER) invalid(`files[${i}].size`, 'sizes add up beyond 2^53');
  });
  const collision = pathCollision(manifest.files.map((f) => f.path));
  if (collision) throw new BundleError('bundle.manifest_path_collision', `manifest.json: files[${collision.index}].path: ${collision.message}`, { member });
  return manifest;
}

export function parseManifest(bytes: Uint8Array): BundleManifest {
  if (bytes.length > MANIFEST_MAX_BYTES) {
    throw new BundleError('bundle.manifest_too_large', `manifest.json is ${bytes.length} bytes, more than ${MANIFEST_MAX_BYTES}`, { member });
  }
  const manifest = validateManifest(parseManifestJson(bytes));
  // The spelling was checked while reading; what is left to differ is the order of fields and keys.
  const canonical = serializeManifest(manifest);
  if (!canonical.equals(bytes)) throw new BundleError('bundle.manifest_not_canonical', `manifest.json: ${firstDifference(bytes, canonical)}`, { member });
  return manifest;
}

/** The canonical bytes the builder writes and signs (docs/bundle-format.md, "The canonical form"). */
export function serializeManifest(manifest: BundleManifest | Record<string, unknown>): Buffer {
  return Buffer.from(serializeCanonicalJson(manifest, MANIFEST_SHAPE), 'utf8');
}

function firstDifference(found: Uint8Array, canonical: Buffer): string {
  let at = 0;
  while (at < found.length && found[at] === canonical[at]) at++;
  const lineOf = (bytes: Uint8Array) => {
    const start = bytes.lastIndexOf(0x0a, at - 1) + 1;
    const end = bytes.indexOf(0x0a, at);
    return Buffer.from(bytes.subarray(start, end === -1 ? bytes.length : end)).toString('utf8').trim().slice(0, 80);
  };
  const line = Buffer.from(found.subarray(0, at)).toString('latin1').split('\n').length;
  const [was, wanted] = [JSON.stringify(lineOf(found)), JSON.stringify(lineOf(canonical))];
  return `line ${line} is ${was} where the canonical form has ${wanted} (fields in the documented order, other keys sorted)`;
}
