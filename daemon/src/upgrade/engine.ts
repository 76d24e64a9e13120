// The driver: loads the journal, asks `stepFor` what to do, runs that step's executor, saves the
// next journal (before the next step acts), and loops until the upgrade is done. It also begins an
// upgrade (the first journal write) and recovers an unfinished one at start. Progress and outcomes
// leave through callbacks: the engine imports nothing of the web side.
import { randomUUID } from 'node:crypto';
import type { FailureReason, ReleaseStatus, UpgradeKind, UpgradeRecord, WorkloadRollout } from '../protocol/upgrade.ts';
import type { BundleStore } from './bundle-store.ts';
import type { ImageStorePort } from './containerd-adapter.ts';
import { isUnreachable, UpgradeFailure } from './errors.ts';
import { applyObject, cleanup, gate, importImage, preflightResult, pruneObject, rollbackTask, snapshotOf, unpinUnneeded, type ExecContext } from './executors.ts';
import type { UpgradeStore } from './journal.ts';
import { advance, fail, isRetriedPhase, MAX_ATTEMPTS, newJournal, recover, releaseStatusOf, skip, stepFor, type Journal, type Step, type StepResult, type VersionPointer } from './journal-pure.ts';
import type { ClusterPort } from './kube-rest.ts';
import { desiredObjects, readBundleDocs, type ObservePorts } from './observe.ts';
import type { DesiredObject } from './manifests-pure.ts';
import { computePlan, type PlanSettingsInput } from './plans.ts';
import { normalizeReference } from './images-pure.ts';
import { recordOf } from './records.ts';
import type { ImageFacts } from './planner.ts';

export interface EngineDeps extends ObservePorts {
  images: ImageStorePort;
  bundles: BundleStore;
  store: UpgradeStore;
  settings: PlanSettingsInput & { pollMs: number; failingGraceMs: number; crdTimeoutMs?: number; retryBaseMs?: number };
  fault(point: string): void;
  /** Every change of the running upgrade (phase, step, bytes, workloads) and its end. */
  onRecord(record: UpgradeRecord, change: 'record' | 'progress' | 'workloads'): void;
  onFinished(record: UpgradeRecord): void;
}

export interface BeginRequest {
  kind: 'upgrade' | 'rollback';
  bundleId: string;
  actor: string;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason as Error)), { once: true });
  });

/** How long an unreachable API server is waited for (k3s restarting after a power cut) before tries count. */
const UNREACHABLE_PATIENCE_MS = 30 * 60_000;
const UNREACHABLE_RETRY_MS = 5000;

export class UpgradeEngine {
  readonly #deps: EngineDeps;
  #workloads: WorkloadRollout[] = [];
  #bytesAt = 0;
  #unreachableSince: number | null = null;

  constructor(deps: EngineDeps) {
    this.#deps = deps;
  }

  /** The first journal write of a new upgrade; returns its id. Nothing else happens yet. */
  begin(request: BeginRequest): string {
    const { store, fault } = this.#deps;
    const bundle = store.bundle(request.bundleId);
    if (!bundle) throw new Error(`no bundle ${request.bundleId}`);
    const release = store.release(bundle.name);
    const from: VersionPointer | null = release?.bundleId && release.version ? { bundleId: release.bundleId, version: release.version, sequence: release.sequence } : null;
    const kind: UpgradeKind = request.kind === 'rollback' ? 'rollback' : from ? 'upgrade' : 'install';
    const priorStatus: ReleaseStatus = release?.status === 'failed' ? 'failed' : from ? 'installed' : 'absent';
    const journal = newJournal({ bundleId: bundle.id, version: bundle.version, sequence: bundle.sequence }, from, priorStatus);
    const id = randomUUID();
    fault('journal.preflight.before');
    store.begin({ id, kind, release: bundle.name, bundleId: bundle.id, fromVersion: from?.version ?? null, toVersion: bundle.version, actor: request.actor, startedAt: this.#deps.now(), phase: 'preflight', journal }, 'upgrading');
    fault('journal.preflight.after');
    this.#workloads = [];
    this.#publish(id, 'record');
    return id;
  }

  /** Counts a resume of the unfinished upgrade, if there is one; returns its id. */
  recoverUnfinished(): string | null {
    const row = this.#deps.store.running();
    if (!row) return null;
    const j = recover(row.journal, this.#deps.now());
    this.#save(row.id, row.release, j, j.failure?.message ?? `resumed after a stop (${j.resumes} of 3)`);
    return row.id;
  }

  #save(id: string, release: string, j: Journal, message: string, reasons?: FailureReason[]): void {
    const { fault, store } = this.#deps;
    fault(`journal.${j.phase}.before`);
    store.save(id, release, j, releaseStatusOf(j), message, this.#deps.now(), reasons);
    fault(`journal.${j.phase}.after`);
  }

  #publish(id: string, change: 'record' | 'progress' | 'workloads'): UpgradeRecord | null {
    const row = this.#deps.store.upgrade(id);
    if (!row) return null;
    const record = recordOf(row, this.#workloads);
    this.#deps.onRecord(record, change);
    return record;
  }

  /** Drives the upgrade to its end. Resolves with the final record. */
  async drive(id: string, signal: AbortSignal): Promise<UpgradeRecord> {
    const { store } = this.#deps;
    const cache = new Map<string, Map<string, DesiredObject>>();
    let images: Promise<Map<string, ImageFacts>> | null = null;
    const imageList = () => (images ??= this.#deps.images.list(signal));
    for (;;) {
      const row = store.upgrade(id);
      if (!row) throw new Error(`upgrade ${id} vanished from the journal`);
      const step = stepFor(row.journal);
      if (!step) break;
      if (signal.aborted) throw Object.assign(new Error('the upgrade was interrupted by a shutdown; it resumes at the next start'), { name: 'AbortError' });
      let j = row.journal;
      const ctx = this.#context(row.id, () => j, (next) => (j = next), row.release, cache, imageList, signal);
      try {
        const result = await this.#execute(step, ctx, row.release);
        const next = advance(j, step, result.result, this.#deps.now());
        if (step.kind === 'commit') this.#commit(row.id, row.release, j, next);
        else this.#save(row.id, row.release, next, result.message ?? '', result.reasons);
        if (step.kind === 'import') this.#deps.fault('import.pinned');
        if (step.kind === 'apply' && j.cursor === 0) this.#deps.fault('apply.between');
        if (step.kind === 'prune' && j.cursor === 0) this.#deps.fault('prune.mid');
        if (step.kind === 'rollback') {
          if (step.task.op !== 'delete' && j.cursor === 0) this.#deps.fault('rollback.apply');
          if (step.task.op === 'delete' && j.rollback[j.cursor - 1]?.op !== 'delete') this.#deps.fault('rollback.delete');
        }
        this.#unreachableSince = null;
      } catch (error) {
        if (signal.aborted) throw error;
        if (await this.#waitForApiServer(row.id, row.release, j, error, signal)) continue;
        this.#failed(row.id, row.release, j, error, signal);
        if (isRetriedPhase(j.phase) && j.attempts + 1 < MAX_ATTEMPTS) await sleep((this.#deps.settings.retryBaseMs ?? 1000) * 2 ** j.attempts, signal);
      }
      this.#publish(id, step.kind === 'import' || step.kind === 'apply' || step.kind === 'prune' || step.kind === 'rollback' ? 'progress' : 'record');
    }
    const record = this.#publish(id, 'record') as UpgradeRecord;
    this.#deps.onFinished(record);
    return record;
  }

  /**
   * A recovery or rollback step that failed because the API server does not answer (k3s is still
   * starting after a power cut) waits for it, up to a deadline, instead of spending its tries.
   */
  async #waitForApiServer(id: string, release: string, j: Journal, error: unknown, signal: AbortSignal): Promise<boolean> {
    const unreachable = isUnreachable(error) || (error instanceof UpgradeFailure && error.code === 'upgrade.cluster_unreachable') || isUnreachable((error as { cause?: unknown }).cause);
    if (!unreachable || !isRetriedPhase(j.phase)) return false;
    const now = this.#deps.now();
    this.#unreachableSince ??= now;
    if (now - this.#unreachableSince > UNREACHABLE_PATIENCE_MS) return false;
    this.#save(id, release, j, `waiting for the Kubernetes API server (unreachable for ${Math.round((now - this.#unreachableSince) / 1000)} s)`);
    await sleep(UNREACHABLE_RETRY_MS, signal);
    return true;
  }

  #failed(id: string, release: string, j: Journal, error: unknown, _signal: AbortSignal): void {
    const now = this.#deps.now();
    const failure = error instanceof UpgradeFailure ? { code: error.code, message: error.message } : { code: 'upgrade.apply_failed', message: (error as Error).message };
    if (!isRetriedPhase(j.phase)) {
      const next = fail(j, failure, now);
      this.#save(id, release, next, failure.message, error instanceof UpgradeFailure && error.reasons.length > 0 ? error.reasons : undefined);
      return;
    }
    const attempts = j.attempts + 1;
    const label = `${j.phase === 'pruning' || j.phase === 'cleanup' ? 'prune' : 'rollback'}: ${failure.message}`;
    const next = attempts >= MAX_ATTEMPTS ? skip(j, label, now) : { ...j, attempts };
    this.#save(id, release, next, attempts >= MAX_ATTEMPTS ? `gave up after ${attempts} tries: ${failure.message}` : `retrying (${attempts} of ${MAX_ATTEMPTS}): ${failure.message}`);
  }

  #commit(id: string, release: string, j: Journal, next: Journal): void {
    const { store, fault } = this.#deps;
    const bundle = store.bundle(j.target.bundleId);
    if (!bundle) throw new UpgradeFailure('upgrade.commit_failed', `the bundle ${j.target.bundleId} is gone`);
    const images = bundle.manifest.files.flatMap((f) => (f.references ?? []).map(normalizeReference));
    store.commit(id, next, { release, bundleId: bundle.id, version: bundle.version, sequence: bundle.sequence, floor: bundle.manifest.sequenceFloor ?? 0, inventory: { objects: j.apply, images }, installedBy: store.upgrade(id)?.actor ?? '', created: Date.parse(bundle.manifest.created) }, `committed ${bundle.version}`, this.#deps.now(), () => fault('commit.mid'));
    fault(`journal.${next.phase}.after`);
  }

  async #objects(bundleId: string): Promise<Map<string, DesiredObject>> {
    const bundle = this.#deps.store.bundle(bundleId);
    if (!bundle) return new Map();
    const served = this.#deps.kube ? await this.#deps.kube.served() : new Map<string, boolean>();
    const docs = await readBundleDocs(this.#deps.bundles, bundleId, bundle.manifest);
    return new Map(desiredObjects(docs.docs, served, bundle.manifest).map((o) => [o.key, o]));
  }

  #context(id: string, journal: () => Journal, set: (j: Journal) => void, release: string, cache: Map<string, Map<string, DesiredObject>>, imageList: () => Promise<Map<string, ImageFacts>>, signal: AbortSignal): ExecContext {
    const deps = this.#deps;
    return {
      kube: deps.kube as ClusterPort,
      images: deps.images,
      bundles: deps.bundles,
      store: deps.store,
      upgradeId: id,
      journal,
      record: (update) => {
        const next = update(journal());
        set(next);
        deps.store.save(id, release, next, releaseStatusOf(next), 'recorded before acting', deps.now());
      },
      objects: async (which) => {
        const bundleId = which === 'target' ? journal().target.bundleId : journal().from?.bundleId;
        if (!bundleId) return new Map();
        let found = cache.get(bundleId);
        if (!found) cache.set(bundleId, (found = await this.#objects(bundleId)));
        return found;
      },
      imageList,
      fault: deps.fault,
      now: deps.now,
      signal,
      onBytes: (done) => {
        const now = deps.now();
        if (now - this.#bytesAt < 250) return;
        this.#bytesAt = now;
        const row = deps.store.upgrade(id);
        if (row) deps.onRecord({ ...recordOf(row, this.#workloads), bytes: { done: row.journal.bytes.done + done, total: row.journal.bytes.total } }, 'progress');
      },
      onWorkloads: (rollouts) => {
        this.#workloads = rollouts;
        this.#publish(id, 'workloads');
      },
      settings: { pollMs: deps.settings.pollMs, failingGraceMs: deps.settings.failingGraceMs, crdTimeoutMs: deps.settings.crdTimeoutMs ?? 60_000 },
    };
  }

  async #execute(step: Step, ctx: ExecContext, release: string): Promise<{ result: StepResult; message?: string; reasons?: FailureReason[] }> {
    switch (step.kind) {
      case 'preflight':
        return this.#preflight(ctx);
      case 'import':
        return { result: { kind: 'import', newlyPinned: await importImage(ctx, step.image) }, message: `imported ${step.image.file}` };
      case 'apply':
        await applyObject(ctx, step.object);
        return { result: { kind: 'done' }, message: `applied ${step.object.kind} ${step.object.name}` };
      case 'gate': {
        const outcome = await gate(ctx, ctx.journal().gate.workloads);
        if (!outcome.ok) throw new UpgradeFailure(outcome.code, outcome.message, { reasons: outcome.reasons });
        return { result: { kind: 'gate', ok: true }, message: 'every workload settled healthy' };
      }
      case 'commit':
        return { result: { kind: 'done' } };
      case 'prune':
        await pruneObject(ctx, step.object);
        return { result: { kind: 'done' }, message: `pruned ${step.object.kind} ${step.object.name}` };
      case 'cleanup':
        await cleanup(ctx, release);
        return { result: { kind: 'done' }, message: `committed ${ctx.journal().target.version}` };
      case 'rollback':
        await rollbackTask(ctx, step.task);
        return { result: { kind: 'done' }, message: `rolling back: ${step.task.op} ${step.task.object.kind} ${step.task.object.name}` };
      case 'rollback-gate': {
        const outcome = await gate(ctx, ctx.journal().gate.fromWorkloads);
        return { result: { kind: 'rollback-gate', ok: outcome.ok, message: outcome.ok ? 'settled' : outcome.message }, message: outcome.ok ? 'the restored version is healthy' : outcome.message };
      }
      case 'rollback-cleanup': {
        await unpinUnneeded(ctx, ctx.journal().pinnedByUs);
        ctx.store.dropSnapshots(ctx.upgradeId);
        const f = ctx.journal().failure;
        return { result: { kind: 'done' }, message: f ? `${f.code === 'upgrade.blocked' ? 'refused' : 'rolled back'}: ${f.message}` : 'rolled back' };
      }
    }
  }

  async #preflight(ctx: ExecContext): Promise<{ result: StepResult; message: string }> {
    const j = ctx.journal();
    const row = this.#deps.store.upgrade(ctx.upgradeId);
    const bundle = this.#deps.store.bundle(j.target.bundleId);
    if (!bundle || !row) throw new UpgradeFailure('upgrade.blocked', `the bundle ${j.target.bundleId} is no longer offered`);
    const full = await computePlan(this.#deps, this.#deps.settings, { id: bundle.id, manifest: bundle.manifest, signers: bundle.signers }, row.kind === 'rollback' ? 'rollback' : 'upgrade');
    this.#deps.store.setBlocking(bundle.id, full.plan.problems.filter((p) => p.blocking));
    const blocking = full.plan.problems.filter((p) => p.blocking);
    if (blocking.length > 0) throw new UpgradeFailure('upgrade.blocked', `${blocking.length} blocking problem${blocking.length === 1 ? '' : 's'}: ${blocking.map((p) => p.message).join('; ')}`);
    const result = preflightResult(full, full.plan.gate.stabilitySeconds * 1000, full.plan.gate.timeoutSeconds * 1000);
    for (const key of result.adopted) {
      const o = full.bundle.objects.find((x) => x.key === key);
      const live = o ? await ctx.kube.get(o) : null;
      if (live) this.#deps.store.putSnapshot(ctx.upgradeId, key, snapshotOf(live));
    }
    return { result: { kind: 'preflight', plan: result }, message: `plan: ${full.plan.steps} steps` };
  }
}
