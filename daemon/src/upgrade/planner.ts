// The planner (pure): (installed release, offered bundle, what was observed) -> the plan a person
// reads before anything changes. It does no I/O: `observe.ts` gathers the facts first.
import type { BundleManifest } from '../bundles/index.ts';
import type { ObjectRef, PlanProblem, PlannedImage, PlannedObject, UpgradeKind, UpgradePlan } from '../protocol/upgrade.ts';
import { imageProblems, normalizeReference } from './images-pure.ts';
import { gateSettings, groupOf, isWorkloadKind, objectLabel, orderForApply, orderForDelete, type DesiredObject } from './manifests-pure.ts';
import { summarizeChange } from './object-diff-pure.ts';
import { architectureCheck, diskCheck, expiryCheck, kubernetesCheck, outpostCheck, sequenceCheck, type DiskFacts } from './preflight-pure.ts';

export const ARCHIVE_LABEL = 'outpost.dev/archive';
export const PINNED_LABEL = 'io.cri-containerd.pinned';

export interface InventoryObject extends ObjectRef {
  key: string;
}

/** What a committed version put on the device: the objects to prune later, the images it needs. */
export interface Inventory {
  objects: InventoryObject[];
  /** Normalised image references. */
  images: string[];
}

export interface BundleView {
  id: string;
  manifest: BundleManifest;
  signers: string[];
  notes: string | null;
  objects: DesiredObject[];
  /** Manifests that could not be read (always blocking). */
  problems: PlanProblem[];
}

export interface InstalledView {
  bundleId: string;
  version: string;
  sequence: number;
  floor: number;
  inventory: Inventory;
  /** The committed version's objects from its kept bundle (for the field-level diff). */
  objects: DesiredObject[];
}

export interface LiveObject {
  /** The `outpost.dev/release` label on the live object. */
  release: string | null;
  /** Managers other than `outpost` owning fields this apply would change (server-side apply dry run). */
  conflicts: { manager: string; fields: string[] }[];
}

export interface ImageFacts {
  digest: string;
  labels: Record<string, string>;
}

export interface Observed {
  now: number;
  outpostVersion: string;
  newestCreatedSeen: number | null;
  cluster: { reachable: boolean; error: string | null; version: string | null; architecture: string | null };
  /** `apiVersion/Kind` the API server serves. */
  served: ReadonlySet<string>;
  live: ReadonlyMap<string, LiveObject>;
  containerd: { reachable: boolean; error: string | null; images: ReadonlyMap<string, ImageFacts> };
  disk: DiskFacts | null;
  diskPath: string;
  /** Object keys another release's inventory holds → that release. */
  otherReleases: ReadonlyMap<string, string>;
}

export interface PlanSettings {
  mode: 'upgrade' | 'rollback';
  diskReservePercent: number;
  stabilitySeconds: number;
  timeoutSeconds: number;
  floor: number;
}

const problem = (code: string, message: string, object: string | null = null, blocking = true): PlanProblem => ({ code, message, object, blocking });

/** `namespace/kind/name` as the cluster topic keys workloads; HelmCharts gate on their install Job. */
export function gateWorkloads(objects: readonly ObjectRef[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    if (o.kind === 'HelmChart' && groupOf(o.apiVersion) === 'helm.cattle.io') out.push(`${o.namespace ?? 'kube-system'}/job/helm-install-${o.name}`);
    else if (isWorkloadKind(o.kind) && o.kind !== 'CronJob' && o.kind !== 'ReplicaSet') out.push(`${o.namespace ?? 'default'}/${o.kind.toLowerCase()}/${o.name}`);
  }
  return out;
}

function plannedImages(manifest: BundleManifest, observed: Observed): PlannedImage[] {
  return manifest.files
    .filter((f) => f.role === 'image')
    .map((f) => {
      const refs = (f.references ?? []).map(normalizeReference);
      const facts = refs.map((r) => observed.containerd.images.get(r));
      const present = facts.every((x) => x !== undefined);
      const imported = present && facts.every((x) => x?.labels[ARCHIVE_LABEL] === f.sha256);
      const p = f.platform;
      return { file: f.path, references: f.references ?? [], size: f.size, platform: p ? `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}` : '', present, imported, digest: facts[0]?.digest ?? null };
    });
}

function plannedObjects(bundle: BundleView, installed: InstalledView | null, observed: Observed, problems: PlanProblem[]): PlannedObject[] {
  const old = new Map((installed?.objects ?? []).map((o) => [o.key, o]));
  const crdKinds = new Set(bundle.objects.filter((o) => o.kind === 'CustomResourceDefinition').flatMap((o) => crdServes(o.body)));
  const out: PlannedObject[] = [];
  for (const o of orderForApply(bundle.objects)) {
    const label = objectLabel(o);
    const live = observed.live.get(o.key);
    const before = old.get(o.key);
    const fields = before ? summarizeChange(before.body, o.body) : [];
    const inInventory = installed?.inventory.objects.some((x) => x.key === o.key) ?? false;
    const change = !before && !inInventory ? 'added' : fields.length > 0 || !before ? 'changed' : 'unchanged';
    if (observed.cluster.reachable && !observed.served.has(`${o.apiVersion}/${o.kind}`) && !crdKinds.has(`${o.apiVersion}/${o.kind}`)) {
      problems.push(problem('kind_not_served', `${label}: the cluster does not serve ${o.apiVersion} ${o.kind} and no CRD in the bundle defines it`, label));
    }
    const owner = live?.release && live.release !== bundle.manifest.name ? live.release : (observed.otherReleases.get(o.key) ?? null);
    if (owner && owner !== bundle.manifest.name) problems.push(problem('owned_by_other_release', `${label} belongs to the release ${owner}`, label));
    const conflicts = live?.conflicts ?? [];
    for (const c of conflicts) {
      problems.push(problem('field_manager_conflict', `${label}: ${c.fields.join(', ')} owned by ${c.manager} will be taken over by outpost`, label, false));
    }
    out.push({ apiVersion: o.apiVersion, kind: o.kind, name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), key: o.key, change, fields, exists: live !== undefined, conflicts });
  }
  const wanted = new Set(bundle.objects.map((o) => o.key));
  for (const r of orderForDelete(installed?.inventory.objects.filter((x) => !wanted.has(x.key)) ?? [])) {
    out.push({ apiVersion: r.apiVersion, kind: r.kind, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}), key: r.key, change: 'removed', fields: [], exists: observed.live.has(r.key), conflicts: [] });
  }
  return out;
}

/** `group/version/Kind` pairs a CRD document defines. */
function crdServes(body: Record<string, unknown>): string[] {
  const spec = body.spec as { group?: unknown; names?: { kind?: unknown }; versions?: { name?: unknown }[] } | undefined;
  if (typeof spec?.group !== 'string' || typeof spec.names?.kind !== 'string') return [];
  return (spec.versions ?? []).filter((v) => typeof v.name === 'string').map((v) => `${spec.group as string}/${String(v.name)}/${String(spec.names?.kind)}`);
}

export function planUpgrade(bundle: BundleView, installed: InstalledView | null, observed: Observed, settings: PlanSettings): UpgradePlan {
  const m = bundle.manifest;
  const kind: UpgradeKind = settings.mode === 'rollback' ? 'rollback' : installed ? 'upgrade' : 'install';
  const problems: PlanProblem[] = [...bundle.problems];
  const facts = { kind, sequence: m.sequence, installedSequence: installed?.sequence ?? 0, floor: settings.floor, expires: m.expires, now: observed.now, newestCreatedSeen: observed.newestCreatedSeen };
  const seq = sequenceCheck(facts);
  const expiry = expiryCheck(facts);
  problems.push(...seq.problems, ...expiry.problems);
  if (!observed.cluster.reachable) problems.push(problem('cluster_unreachable', `the Kubernetes API server cannot be reached: ${observed.cluster.error ?? 'no cluster configured'}`));
  if (!observed.containerd.reachable) problems.push(problem('containerd_unreachable', `containerd cannot be reached: ${observed.containerd.error ?? 'unknown error'}`));
  const arch = architectureCheck(m.requires.architecture, observed.cluster.architecture);
  const kube = kubernetesCheck(m.requires.kubernetes, observed.cluster.version);
  const outpost = outpostCheck(m.requires.outpost, observed.outpostVersion);
  problems.push(...arch.problems, ...kube.problems, ...outpost.problems);

  const images = plannedImages(m, observed);
  for (const f of m.files.filter((x) => x.role === 'image')) {
    if (observed.cluster.architecture && f.platform && f.platform.architecture !== observed.cluster.architecture) {
      problems.push(problem('image_wrong_architecture', `${f.path} is built for ${f.platform.architecture}, the node is ${observed.cluster.architecture}`, f.path));
    }
  }
  const inBundle = new Set(images.flatMap((i) => i.references.map(normalizeReference)));
  const available = (ref: string) => inBundle.has(ref) || observed.containerd.images.has(ref);
  problems.push(...imageProblems(bundle.objects.map((o) => ({ label: objectLabel(o), body: o.body })), available));

  const objects = plannedObjects(bundle, installed, observed, problems);
  const toImport = images.filter((i) => !i.imported).reduce((n, i) => n + i.size, 0);
  const disk = diskCheck(toImport, observed.disk, settings.diskReservePercent, observed.diskPath);
  problems.push(...disk.problems);
  const gate = gateSettings(m.annotations, settings);
  const sorted = [...problems.filter((p) => p.blocking), ...problems.filter((p) => !p.blocking)];
  const removed = objects.filter((o) => o.change === 'removed').length;
  return {
    bundleId: bundle.id,
    release: m.name,
    kind,
    from: installed ? { version: installed.version, sequence: installed.sequence } : null,
    to: { version: m.version, sequence: m.sequence },
    signers: bundle.signers,
    computedAt: observed.now,
    sequence: { installed: installed?.sequence ?? 0, offered: m.sequence, floor: settings.floor, ok: seq.ok },
    expiry: { expires: m.expires, ok: expiry.ok },
    architecture: arch.check,
    kubernetes: kube.check,
    outpost: outpost.check,
    images,
    objects,
    disk: disk.disk,
    gate: { ...gate, workloads: gateWorkloads(bundle.objects) },
    problems: sorted,
    blocking: sorted.filter((p) => p.blocking).length,
    notes: bundle.notes,
    steps: images.length + (objects.length - removed) + removed + 2,
  };
}
