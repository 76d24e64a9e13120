// Pure checks on the builder's inputs: bundle.yaml (what the manifest says about the bundle) and
// Kubernetes manifest files (every document parses and names apiVersion, kind and metadata.name).
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BundleError } from './errors.ts';
import { ARCHITECTURES, MANIFEST_FORMAT, type BundleManifest } from './parse-manifest.ts';

const specSchema = z.strictObject({
  name: z.string(),
  version: z.string(),
  sequence: z.number().int(),
  sequenceFloor: z.number().int().optional(),
  created: z.string().optional(),
  expires: z.string().optional(),
  expiresAfterDays: z.number().int().min(1).max(3650).optional(),
  requires: z.strictObject({ architecture: z.enum(ARCHITECTURES), kubernetes: z.string(), outpost: z.string() }),
  annotations: z.record(z.string(), z.unknown()).optional(),
});

export type BundleSpec = z.infer<typeof specSchema>;
export type ManifestHead = Omit<BundleManifest, 'files'>;

function invalid(where: string, message: string): never {
  throw new BundleError('bundle.build_input_invalid', `${where}: ${message}`);
}

function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * bundle.yaml -> everything in the manifest but the file list. `created` comes from bundle.yaml,
 * else SOURCE_DATE_EPOCH, else `now` (then the build is not reproducible).
 */
export function parseBundleSpec(text: string, env: { sourceDateEpoch?: string | undefined; now: Date }): ManifestHead {
  let value: unknown;
  try {
    value = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    invalid('bundle.yaml', (error as Error).message.split('\n')[0] ?? 'not YAML');
  }
  const result = specSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    invalid(`bundle.yaml: ${issue?.path.join('.') || '$'}`, issue?.message ?? 'invalid');
  }
  const spec = result.data as BundleSpec;
  let created: Date;
  if (spec.created !== undefined) created = new Date(spec.created);
  else if (env.sourceDateEpoch !== undefined) {
    if (!/^\d+$/.test(env.sourceDateEpoch)) invalid('SOURCE_DATE_EPOCH', 'must be whole seconds since 1970');
    created = new Date(Number(env.sourceDateEpoch) * 1000);
  } else created = env.now;
  if (Number.isNaN(created.getTime())) invalid('bundle.yaml: created', 'is not a date');
  if ((spec.expires === undefined) === (spec.expiresAfterDays === undefined)) invalid('bundle.yaml', 'give exactly one of expires or expiresAfterDays');
  const expires = spec.expires !== undefined ? new Date(spec.expires) : new Date(created.getTime() + (spec.expiresAfterDays ?? 0) * 86_400_000);
  if (Number.isNaN(expires.getTime())) invalid('bundle.yaml: expires', 'is not a date');
  const head: ManifestHead = {
    format: MANIFEST_FORMAT,
    name: spec.name,
    version: spec.version,
    sequence: spec.sequence,
    ...(spec.sequenceFloor !== undefined ? { sequenceFloor: spec.sequenceFloor } : {}),
    created: isoSeconds(created),
    expires: isoSeconds(expires),
    requires: { architecture: spec.requires.architecture, kubernetes: spec.requires.kubernetes, outpost: spec.requires.outpost },
    ...(spec.annotations !== undefined ? { annotations: spec.annotations } : {}),
  };
  return head;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export function parseKubernetesManifest(text: string, file: string): ObjectRef[] {
  const objects: ObjectRef[] = [];
  const documents = parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(documents)) invalid(file, 'not a YAML stream');
  documents.forEach((document, i) => {
    const where = `${file} (document ${i + 1})`;
    if (document.errors.length > 0) invalid(where, document.errors[0]?.message.split('\n')[0] ?? 'invalid YAML');
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) invalid(where, 'is not a mapping');
    const object = value as Record<string, unknown>;
    const metadata = (object.metadata ?? {}) as Record<string, unknown>;
    for (const [field, v] of [['apiVersion', object.apiVersion], ['kind', object.kind], ['metadata.name', metadata.name]] as const) {
      if (typeof v !== 'string' || v === '') invalid(where, `has no ${field}`);
    }
    const ref: ObjectRef = { apiVersion: object.apiVersion as string, kind: object.kind as string, name: metadata.name as string };
    if (typeof metadata.namespace === 'string') ref.namespace = metadata.namespace;
    objects.push(ref);
  });
  if (objects.length === 0) invalid(file, 'holds no Kubernetes object');
  return objects;
}
