// Structural redaction for the support bundle (pure): the configuration without its secrets, and
// Kubernetes objects as a vendor needs them to diagnose (spec, status, events), without anything
// that can carry a secret's value. Secrets themselves are never collected (CLUSTER_KINDS); here a
// Secret that reaches us anyway keeps only its name.
import { isSecretName, REDACTED } from './scrub-pure.ts';

/** The kinds a support bundle holds, in archive order. Secrets and ConfigMaps are not among them, by design. */
export const CLUSTER_KINDS = ['namespaces', 'nodes', 'pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs'] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];

/** Config keys named like a secret (password, token, key, secret); paths to files (`tls.keyFile`) are kept. */
export function isConfigSecretKey(name: string): boolean {
  return /pass(word|wd)|token|key|secret/i.test(name) && !/(file|path|dir)$/i.test(name);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A deep copy of the configuration in which every secret-named value reads `[redacted]` (unset stays unset). */
export function redactConfig(config: unknown): Json {
  const walk = (value: unknown, key: string | null): Json => {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) return value.map((v) => walk(v, key));
    if (typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, walk(v, k)]));
    if (key !== null && isConfigSecretKey(key)) return REDACTED;
    return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' ? value : String(value);
  };
  return walk(config, null);
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const REMOVED_LAST_APPLIED = '[removed by outpost: a copy of the applied object, which may hold literal values]';

/**
 * A plain JSON copy of a Kubernetes object fit for the bundle:
 * - `metadata.managedFields` dropped (bulky, nothing to diagnose) and kubectl's last-applied copy removed;
 * - annotations named like secrets redacted;
 * - every `{name, value}` pair whose name looks like a secret (container env, args lists) gets `[redacted]`;
 *   values that come from a Secret stay what they are: references (`valueFrom.secretKeyRef`), never values.
 * A Secret (never collected, but defended against) keeps only its identity.
 */
export function redactKubeObject(object: unknown): Json {
  const copy = JSON.parse(JSON.stringify(object ?? null)) as Json;
  if (!copy || typeof copy !== 'object' || Array.isArray(copy)) return copy;
  if (copy.kind === 'Secret') return secretStub(copy);
  const metadata = copy.metadata;
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) {
    delete metadata.managedFields;
    const annotations = metadata.annotations;
    if (annotations && typeof annotations === 'object' && !Array.isArray(annotations)) {
      for (const key of Object.keys(annotations)) {
        if (key === LAST_APPLIED) annotations[key] = REMOVED_LAST_APPLIED;
        else if (isSecretName(key.split('/').pop() ?? key)) annotations[key] = REDACTED;
      }
    }
  }
  redactNamedValues(copy);
  return copy;
}

function secretStub(secret: { [key: string]: Json }): Json {
  const meta = secret.metadata && typeof secret.metadata === 'object' && !Array.isArray(secret.metadata) ? secret.metadata : {};
  const metadata = { name: meta.name ?? null, namespace: meta.namespace ?? null };
  return { apiVersion: 'v1', kind: 'Secret', metadata, note: 'a Secret: its data is never included' };
}

function redactNamedValues(node: Json): void {
  if (Array.isArray(node)) {
    for (const item of node) redactNamedValues(item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  if (typeof node.name === 'string' && typeof node.value === 'string' && node.value !== '' && isSecretName(node.name)) node.value = REDACTED;
  for (const value of Object.values(node)) redactNamedValues(value);
}
