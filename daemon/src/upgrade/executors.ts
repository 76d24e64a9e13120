// The executors: the only code through which an upgrade touches the world, one per step kind.
// Each is idempotent (invariant 1 of journal-pure.ts) and states its precondition in one line.
// What a step is about to do that a rollback must know (images it pins) is recorded in the
// journal BEFORE it is done, through `ctx.record`.
import type { WorkloadRollout } from '../protocol/upgrade.ts';
import type { BundleStore } from './bundle-store.ts';
import type { ImageStorePort } from './containerd-adapter.ts';
import { isUnreachable, UpgradeFailure } from './errors.ts';
import { runGate } from './gate.ts';
import { normalizeReference } from './images-pure.ts';
import type { UpgradeStore } from './journal.ts';
import type { ImageTask, Journal, JournalObject, PreflightResult, RollbackTask } from './journal-pure.ts';
import { KubeApiError, type ClusterPort, type KObj } from './kube-rest.ts';
import { gateWorkloads, ARCHIVE_LABEL, PINNED_LABEL, type ImageFacts } from './planner.ts';
import { objectLabel, orderForApply, orderForDelete, type DesiredObject } from './manifests-pure.ts';
import type { FullPlan } from './plans.ts';

export const CRI_MANAGED_LABEL = 'io.cri-containerd.image';

export interface ExecContext {
  kube: ClusterPort;
  images: ImageStorePort;
  bundles: BundleStore;
  store: UpgradeStore;
  upgradeId: string;
  journal(): Journal;
  /** Saves a change to the journal now, before the executor acts on it. */
  record(update: (j: Journal) => Journal): void;
  objects(which: 'target' | 'from'): Promise<Map<string, DesiredObject>>;
  /** containerd's images, listed once per drive and kept current by the import step. */
  imageList(): Promise<Map<string, ImageFacts>>;
  fault(point: string): void;
  now(): number;
  signal: AbortSignal;
  onBytes(done: number): void;
  onWorkloads(rollouts: WorkloadRollout[]): void;
  settings: { pollMs: number; failingGraceMs: number; crdTimeoutMs: number };
}

const refOf = (o: { apiVersion: string; kind: string; name: string; namespace?: string; key: string }): JournalObject => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), key: o.key });

/** What the preflight step records: the task lists and what already existed (pure over the plan). */
export function preflightResult(full: FullPlan, stabilityMs: number, timeoutMs: number): PreflightResult {
  const { plan, bundle, installed } = full;
  const inventoryKeys = new Set(installed?.inventory.objects.map((o) => o.key) ?? []);
  const targetKeys = new Set(bundle.objects.map((o) => o.key));
  const existed = plan.objects.filter((o) => o.exists).map((o) => o.key);
  return {
    images: bundle.manifest.files.flatMap((f, index) => (f.role === 'image' ? [{ file: f.path, index, sha256: f.sha256, size: f.size, references: f.references ?? [] }] : [])),
    apply: orderForApply(bundle.objects).map(refOf),
    fromApply: orderForApply(installed?.objects ?? []).map(refOf),
    prune: orderForDelete((installed?.inventory.objects ?? []).filter((o) => !targetKeys.has(o.key))).map(refOf),
    existed,
    adopted: existed.filter((k) => targetKeys.has(k) && !inventoryKeys.has(k)),
    gate: { stabilityMs, timeoutMs, workloads: plan.gate.workloads, fromWorkloads: gateWorkloads(installed?.objects ?? []) },
  };
}

/** An adopted object as it was, without what the server owns (for a rollback to restore it). */
export function snapshotOf(live: KObj): KObj {
  const meta = { ...(live.metadata ?? {}) };
  for (const k of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences']) delete meta[k];
  const { status: _status, ...rest } = live;
  return { ...rest, metadata: meta };
}

/**
 * Pre: the images of the task are in the staged bundle. Post: containerd has every reference,
 * pinned and labelled with the archive. Labelling is the presence check: `ctr images label` fails
 * for an image containerd does not have.
 */
export async function importImage(ctx: ExecContext, task: ImageTask): Promise<string[]> {
  const refs = task.references.map(normalizeReference);
  const known = await ctx.imageList();
  const notPinned = refs.filter((r) => known.get(r)?.labels[PINNED_LABEL] !== 'pinned');
  if (notPinned.length > 0) ctx.record((j) => ({ ...j, pinnedByUs: [...new Set([...j.pinnedByUs, ...notPinned])] }));
  const imported = refs.every((r) => known.get(r)?.labels[ARCHIVE_LABEL] === task.sha256);
  if (!imported) {
    let half = false;
    await ctx.images.importArchive(
      ctx.bundles.blobPath(ctx.journal().target.bundleId, task.index),
      (done) => {
        ctx.onBytes(done);
        if (!half && done >= task.size / 2) {
          half = true;
          ctx.fault('import.mid');
        }
      },
      ctx.signal,
    ).catch((error: unknown) => Promise.reject(new UpgradeFailure('upgrade.import_failed', `${task.file}: ${(error as Error).message}`, { cause: error })));
  }
  const labels = { [PINNED_LABEL]: 'pinned', [ARCHIVE_LABEL]: task.sha256, [CRI_MANAGED_LABEL]: 'managed' };
  for (const ref of refs) {
    await ctx.images.label(ref, labels, ctx.signal).catch((error: unknown) => Promise.reject(new UpgradeFailure('upgrade.import_failed', `${task.file}: containerd does not have ${ref} after the import (${(error as Error).message})`, { cause: error })));
    known.set(ref, { digest: known.get(ref)?.digest ?? '', labels: { ...known.get(ref)?.labels, ...labels } });
  }
  return notPinned;
}

async function waitEstablished(ctx: ExecContext, o: DesiredObject): Promise<void> {
  const deadline = ctx.now() + ctx.settings.crdTimeoutMs;
  for (;;) {
    const crd = await ctx.kube.get(o);
    const conditions = ((crd?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (ctx.now() > deadline) throw new UpgradeFailure('upgrade.crd_not_established', `${objectLabel(o)} is not Established after ${ctx.settings.crdTimeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, Math.min(ctx.settings.pollMs, 500)));
  }
}

async function applyOne(ctx: ExecContext, o: DesiredObject | undefined, key: string, body?: KObj): Promise<void> {
  if (!o) throw new UpgradeFailure('upgrade.apply_failed', `${key} is missing from its bundle`);
  try {
    await ctx.kube.apply(body ?? o.body, { force: true });
  } catch (error) {
    if (isUnreachable(error)) throw new UpgradeFailure('upgrade.cluster_unreachable', `the API server did not answer while applying ${objectLabel(o)}`, { cause: error });
    const why = error instanceof KubeApiError ? error.message : (error as Error).message;
    throw new UpgradeFailure('upgrade.apply_failed', `${objectLabel(o)}: ${why}`, { cause: error });
  }
  if (o.kind === 'CustomResourceDefinition') await waitEstablished(ctx, o);
}

/** Pre: earlier objects of the apply order are applied. Post: this object is as the target bundle says. */
export async function applyObject(ctx: ExecContext, ref: JournalObject): Promise<void> {
  await applyOne(ctx, (await ctx.objects('target')).get(ref.key), ref.key);
}

/** Pre: the target passed its gate and is committed. Post: the object is gone (or was already). */
export async function pruneObject(ctx: ExecContext, ref: JournalObject): Promise<void> {
  await ctx.kube.remove(ref);
}

/** Pre: a rollback began. Post: the task's object is as the committed version had it (or gone, if only the target created it). */
export async function rollbackTask(ctx: ExecContext, task: RollbackTask): Promise<void> {
  if (task.op === 'delete') await ctx.kube.remove(task.object);
  else if (task.op === 'apply') await applyOne(ctx, (await ctx.objects('from')).get(task.object.key), task.object.key);
  else {
    const snapshot = ctx.store.snapshot(ctx.upgradeId, task.object.key);
    if (snapshot) await applyOne(ctx, { ...task.object, body: snapshot, file: 'snapshot' }, task.object.key, snapshot);
  }
}

export async function gate(ctx: ExecContext, workloads: readonly string[]) {
  const j = ctx.journal();
  return runGate({
    kube: ctx.kube,
    workloads,
    // Kubernetes stamps container starts and ends to the second: a crash in the gate's first second
    // must not look older than the gate.
    since: Math.floor((j.gate.startedAt ?? ctx.now()) / 1000) * 1000,
    stabilityMs: j.gate.stabilityMs,
    timeoutMs: j.gate.timeoutMs,
    failingGraceMs: ctx.settings.failingGraceMs,
    pollMs: ctx.settings.pollMs,
    now: ctx.now,
    signal: ctx.signal,
    onProgress: ctx.onWorkloads,
    afterPoll: () => ctx.fault(j.phase === 'gating' ? 'gate.polling' : 'rollback.gate.polling'),
  });
}

/** Every image reference a kept bundle of any release needs. */
export function neededImages(store: UpgradeStore): Set<string> {
  return new Set(store.bundles('kept').flatMap((b) => b.manifest.files.flatMap((f) => (f.references ?? []).map(normalizeReference))));
}

/** Clears the pin of each reference no kept version needs; an image that is gone is fine. */
export async function unpinUnneeded(ctx: Pick<ExecContext, 'images' | 'store' | 'signal'>, candidates: Iterable<string>): Promise<string[]> {
  const needed = neededImages(ctx.store);
  const present = await ctx.images.list(ctx.signal);
  const unpinned: string[] = [];
  for (const ref of new Set(candidates)) {
    if (needed.has(ref) || present.get(ref)?.labels[PINNED_LABEL] !== 'pinned') continue;
    await ctx.images.label(ref, { [PINNED_LABEL]: null }, ctx.signal);
    unpinned.push(ref);
  }
  return unpinned;
}

export const KEEP_VERSIONS = 3;

/** Post-commit: keep the last 3 committed versions of the release, unpin images nothing kept needs. */
export async function cleanup(ctx: ExecContext, release: string): Promise<void> {
  const kept = ctx.store.bundles('kept', release);
  const current = ctx.store.release(release)?.bundleId;
  const discard = kept.filter((b, i) => i >= KEEP_VERSIONS && b.id !== current);
  for (const b of discard) {
    ctx.store.deleteBundle(b.id);
    await ctx.bundles.remove(b.id);
  }
  const candidates = [...discard.flatMap((b) => b.manifest.files.flatMap((f) => (f.references ?? []).map(normalizeReference))), ...ctx.journal().pinnedByUs];
  const from = ctx.journal().from;
  if (from) {
    const previous = ctx.store.bundle(from.bundleId);
    if (previous) candidates.push(...previous.manifest.files.flatMap((f) => (f.references ?? []).map(normalizeReference)));
  }
  await unpinUnneeded(ctx, candidates);
  ctx.store.dropSnapshots(ctx.upgradeId);
}
