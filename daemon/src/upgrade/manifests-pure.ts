// A bundle's Kubernetes objects (pure): parse the manifest files, turn charts into k3s HelmCharts,
// resolve each kind's scope, label everything for its release, and order the apply. The object key
// (`group/Kind/namespace/name`) is stable across versions of an API group, so moving a Deployment
// from apps/v1beta2 to apps/v1 is a change, not a removal and an addition.
import { parseAllDocuments } from 'yaml';
import type { ObjectRef } from '../protocol/upgrade.ts';

type Json = Record<string, unknown>;

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const RELEASE_LABEL = 'outpost.dev/release';
export const VERSION_ANNOTATION = 'outpost.dev/version';
export const CHART_PLACEHOLDER = 'bundle:';
export const STABILITY_ANNOTATION = 'outpost.dev/health-stability-seconds';
export const TIMEOUT_ANNOTATION = 'outpost.dev/health-timeout-seconds';

export class ManifestError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ManifestError';
    this.file = file;
  }
}

export interface ParsedDoc {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  body: Json;
  file: string;
}

export interface DesiredObject extends ObjectRef {
  key: string;
  /** The object to apply: the document with the release's labels and version annotation. */
  body: Json;
  file: string;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}

export function objectKey(ref: ObjectRef): string {
  return `${groupOf(ref.apiVersion) || 'core'}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** `Deployment app/web`, `Namespace app` */
export function objectLabel(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function docOf(file: string, value: unknown, where: string): ParsedDoc {
  if (!isObject(value)) throw new ManifestError(file, `${where} is not a mapping`);
  const meta = value.metadata;
  const { apiVersion, kind } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !isObject(meta) || typeof meta.name !== 'string' || meta.name === '') {
    throw new ManifestError(file, `${where} needs apiVersion, kind and metadata.name`);
  }
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
  return { apiVersion, kind, name: meta.name, namespace, body: value, file };
}

/** Every document of a YAML file (empty ones skipped, `kind: List` expanded). */
export function parseManifestText(file: string, text: string): ParsedDoc[] {
  const out: ParsedDoc[] = [];
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    if (doc.errors.length > 0) throw new ManifestError(file, `document ${i + 1}: ${doc.errors[0]?.message.split('\n')[0] ?? 'invalid YAML'}`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    if (isObject(value) && value.kind === 'List' && Array.isArray(value.items)) {
      value.items.forEach((item, j) => out.push(docOf(file, item, `document ${i + 1} item ${j + 1}`)));
    } else out.push(docOf(file, value, `document ${i + 1}`));
  });
  return out;
}

/** A k3s HelmChart carrying a chart, for a chart file no manifest references. */
export function defaultHelmChart(file: string, chartName: string, content: string): ParsedDoc {
  const body: Json = {
    apiVersion: 'helm.cattle.io/v1',
    kind: 'HelmChart',
    metadata: { name: chartName, namespace: 'kube-system' },
    spec: { chartContent: content, targetNamespace: 'default' },
  };
  return { apiVersion: 'helm.cattle.io/v1', kind: 'HelmChart', name: chartName, namespace: 'kube-system', body, file };
}

/**
 * Replaces `spec.chartContent: bundle:charts/x.tgz` with the chart's base64 content; returns the
 * chart paths that were referenced. An unknown chart path is an error.
 */
export function fillChartContent(docs: ParsedDoc[], charts: ReadonlyMap<string, string>): Set<string> {
  const used = new Set<string>();
  for (const d of docs) {
    const spec = d.body.spec;
    if (d.kind !== 'HelmChart' || !isObject(spec) || typeof spec.chartContent !== 'string' || !spec.chartContent.startsWith(CHART_PLACEHOLDER)) continue;
    const path = spec.chartContent.slice(CHART_PLACEHOLDER.length);
    const content = charts.get(path);
    if (content === undefined) throw new ManifestError(d.file, `HelmChart ${d.name} references ${path}, which is not a chart of this bundle`);
    d.body = { ...d.body, spec: { ...spec, chartContent: content } };
    used.add(path);
  }
  return used;
}

/** Kinds that are cluster-scoped, for when discovery cannot answer (no cluster, or a CRD not created yet). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass',
  'IngressClass', 'RuntimeClass', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'CSIDriver', 'VolumeSnapshotClass',
]);

/** Scope from discovery (`apiVersion/Kind` → namespaced), else from a CRD in the bundle, else the well-known list. */
export function scopeResolver(discovered: ReadonlyMap<string, boolean>, docs: readonly ParsedDoc[]): (apiVersion: string, kind: string) => boolean {
  const fromCrds = new Map<string, boolean>();
  for (const d of docs) {
    const spec = d.body.spec;
    if (d.kind !== 'CustomResourceDefinition' || !isObject(spec) || !isObject(spec.names) || typeof spec.group !== 'string') continue;
    const namespaced = spec.scope !== 'Cluster';
    for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
      if (isObject(v) && typeof v.name === 'string') fromCrds.set(`${spec.group}/${v.name}/${String(spec.names.kind)}`, namespaced);
    }
  }
  return (apiVersion, kind) => discovered.get(`${apiVersion}/${kind}`) ?? fromCrds.get(`${apiVersion}/${kind}`) ?? !CLUSTER_SCOPED.has(kind);
}

/** Labels and annotates a document for its release, defaulting the namespace of namespaced kinds. */
export function desiredObject(doc: ParsedDoc, namespaced: boolean, release: string, version: string): DesiredObject {
  const namespace = namespaced ? (doc.namespace ?? 'default') : undefined;
  const meta = { ...(doc.body.metadata as Json) };
  meta.labels = { ...(isObject(meta.labels) ? meta.labels : {}), [MANAGED_BY_LABEL]: 'outpost', [RELEASE_LABEL]: release };
  meta.annotations = { ...(isObject(meta.annotations) ? meta.annotations : {}), [VERSION_ANNOTATION]: version };
  if (namespace) meta.namespace = namespace;
  else delete meta.namespace;
  const ref: ObjectRef = { apiVersion: doc.apiVersion, kind: doc.kind, name: doc.name, ...(namespace ? { namespace } : {}) };
  return { ...ref, key: objectKey(ref), body: { ...doc.body, metadata: meta }, file: doc.file };
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);
const CONFIG = new Set(['ConfigMap', 'Secret']);
const RBAC = new Set(['ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/** Namespaces, CRDs, config, RBAC, Services, the rest, workloads. */
export function applyRank(kind: string): number {
  if (kind === 'Namespace') return 0;
  if (kind === 'CustomResourceDefinition') return 1;
  if (CONFIG.has(kind)) return 2;
  if (RBAC.has(kind)) return 3;
  if (kind === 'Service') return 4;
  if (WORKLOADS.has(kind)) return 6;
  return 5;
}

export function isWorkloadKind(kind: string): boolean {
  return WORKLOADS.has(kind);
}

/** Stable: the bundle's own order within a rank. */
export function orderForApply<T extends { kind: string }>(objects: readonly T[]): T[] {
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => applyRank(a.o.kind) - applyRank(b.o.kind) || a.i - b.i)
    .map((x) => x.o);
}

/** The reverse of the apply order: workloads first, namespaces last. */
export function orderForDelete<T extends { kind: string }>(objects: readonly T[]): T[] {
  return orderForApply(objects).reverse();
}

/** Reads the gate settings from the bundle's annotations, else the configured defaults. */
export function gateSettings(annotations: Json | undefined, defaults: { stabilitySeconds: number; timeoutSeconds: number }): { stabilitySeconds: number; timeoutSeconds: number } {
  const read = (key: string, fallback: number, max: number): number => {
    const raw = annotations?.[key];
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    return Number.isFinite(n) && n >= 0 && n <= max ? n : fallback;
  };
  return { stabilitySeconds: read(STABILITY_ANNOTATION, defaults.stabilitySeconds, 3600), timeoutSeconds: read(TIMEOUT_ANNOTATION, defaults.timeoutSeconds, 6 * 3600) };
}
