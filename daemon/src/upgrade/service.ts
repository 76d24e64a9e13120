// The upgrade verbs, in-process (agent/upgrade-agent.ts): offers, plans, apply and rollback on the
// one exclusive runner, releases and history, and the event stream the `upgrade` topic is fed
// from. Every mutation is reported for the audit log with its actor and outcome.
import type { Actor, ExclusiveRunner, OfferRequest, OfferResult, UpgradeAgent, UpgradeAuditEntry } from '../agent/index.ts';
import { OutpostError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { BundleOffer, ReleaseInfo, UpgradeEvent, UpgradePlan, UpgradeRecord, UpgradeState, WorkloadRollout } from '../protocol/upgrade.ts';
import { UpgradeEngine, type EngineDeps } from './engine.ts';
import type { BundleRow } from './journal.ts';
import { deviceStateFor, loadTrustOrRefuse, stageOffer } from './offers.ts';
import { probeBundleFile, type ProbedBundle } from '../bundles/index.ts';
import { computePlan } from './plans.ts';
import { recordOf } from './records.ts';
import { bundleOfferOf, releaseInfoOf, upgradeStateOf } from './views.ts';

export interface UpgradeServiceDeps extends Omit<EngineDeps, 'onRecord' | 'onFinished'> {
  runner: ExclusiveRunner;
  trustDir: string;
  maxOffered: number;
  log: Logger;
  audit(entry: UpgradeAuditEntry): void;
}

type Follower = { id: string; onRecord(r: UpgradeRecord): void; done(r: UpgradeRecord): void };

export class UpgradeService implements UpgradeAgent {
  readonly #deps: UpgradeServiceDeps;
  readonly #engine: UpgradeEngine;
  readonly #watchers = new Set<(e: UpgradeEvent) => void>();
  readonly #followers = new Set<Follower>();
  #workloads: WorkloadRollout[] = [];

  constructor(deps: UpgradeServiceDeps) {
    this.#deps = deps;
    this.#engine = new UpgradeEngine({ ...deps, onRecord: (r, change) => this.#onRecord(r, change), onFinished: (r) => this.#onFinished(r) });
  }

  #emit(event: UpgradeEvent): void {
    for (const watcher of this.#watchers) watcher(event);
  }

  #onRecord(record: UpgradeRecord, change: 'record' | 'progress' | 'workloads'): void {
    if (change === 'workloads') {
      this.#workloads = record.workloads;
      this.#emit({ kind: 'upgrade.workloads.v1', id: record.id, workloads: record.workloads });
    } else if (change === 'progress') {
      this.#emit({ kind: 'upgrade.progress.v1', id: record.id, phase: record.phase, step: record.step, bytes: record.bytes, message: record.message, at: this.#deps.now() });
    } else {
      this.#emit({ kind: 'upgrade.record.v1', upgrade: record });
      this.#emitReleases();
    }
    for (const f of this.#followers) if (f.id === record.id && record.outcome === null) f.onRecord(record);
  }

  #onFinished(record: UpgradeRecord): void {
    this.#workloads = [];
    this.#emitReleases();
    this.#emit({ kind: 'upgrade.bundles.v1', bundles: this.#bundles() });
    const actor = { name: record.actor, role: '', address: 'agent' };
    this.#deps.audit({ actor, action: 'upgrade.outcome', target: `${record.release} ${record.fromVersion ?? '(none)'} -> ${record.toVersion}`, outcome: record.outcome === 'committed' ? 'success' : 'failure', detail: { upgradeId: record.id, outcome: record.outcome, code: record.code, message: record.message } });
    for (const f of [...this.#followers]) if (f.id === record.id) f.done(record);
    this.#deps.log.info({ upgrade: record.id, release: record.release, outcome: record.outcome, code: record.code }, `upgrade ${record.outcome}: ${record.message}`);
  }

  #emitReleases(): void {
    this.#emit({ kind: 'upgrade.releases.v1', releases: this.#releases() });
  }

  #releases(): ReleaseInfo[] {
    return this.#deps.store.releases().map((r) => releaseInfoOf(this.#deps.store, r));
  }

  #bundles(): BundleOffer[] {
    return this.#deps.store.bundles('offered').map((b) => bundleOfferOf(this.#deps.store, b));
  }

  #bundle(id: string): BundleRow {
    const b = /^[0-9a-f]{16}$/.test(id) ? this.#deps.store.bundle(id) : null;
    if (!b) throw new OutpostError('bundle_not_found', `no bundle ${id} is offered`);
    return b;
  }

  /** Sweeps interrupted stagings, then recovers an unfinished upgrade on the runner (before any other mutation). */
  start(): Promise<void> {
    return this.#deps.runner.run(
      async (signal) => {
        const removed = await this.#deps.bundles.sweep(new Set(this.#deps.store.bundles().map((b) => b.id)));
        if (removed.length > 0) this.#deps.log.warn({ removed }, 'removed interrupted bundle stagings');
        const id = this.#engine.recoverUnfinished();
        if (id) await this.#engine.drive(id, signal);
      },
      { exclusive: true, label: 'the recovery of an interrupted upgrade' },
    );
  }

  async #plan(b: BundleRow, mode: 'upgrade' | 'rollback'): Promise<UpgradePlan> {
    const full = await computePlan(this.#deps, this.#deps.settings, { id: b.id, manifest: b.manifest, signers: b.signers }, mode);
    if (mode === 'upgrade' && b.state === 'offered') this.#deps.store.setBlocking(b.id, full.plan.problems.filter((p) => p.blocking));
    return full.plan;
  }

  /** `signal` (in-process callers only: a USB stick pulled out) stops the verification; its staging is deleted. */
  async offerBundle(actor: Actor, request: OfferRequest, signal?: AbortSignal): Promise<OfferResult> {
    const target = request.path.split('/').pop() ?? request.path;
    try {
      const { id, isNew } = await stageOffer(this.#deps, request.path, request.source, actor.name, signal);
      const b = this.#bundle(id);
      const plan = await this.#plan(b, 'upgrade').catch((error: unknown) => {
        this.#deps.log.error({ err: error, bundle: id }, 'planning an offered bundle failed');
        throw error;
      });
      this.#emit({ kind: 'upgrade.bundles.v1', bundles: this.#bundles() });
      this.#deps.audit({ actor, action: 'bundle.offer', target: `${b.name} ${b.version}`, outcome: 'success', detail: { bundleId: id, source: request.source, blocking: plan.blocking, alreadyOffered: !isNew } });
      return { bundle: bundleOfferOf(this.#deps.store, this.#bundle(id)), plan, alreadyOffered: !isNew };
    } catch (error) {
      this.#deps.audit({ actor, action: 'bundle.offer', target, outcome: 'failure', detail: { source: request.source, code: (error as OutpostError).code ?? 'internal_error', message: (error as Error).message } });
      throw error;
    }
  }

  /** A first look (signature, manifest, anti-rollback) without staging: USB sticks pick their candidates with it. Throws BundleError. */
  async probeBundle(path: string, signal?: AbortSignal): Promise<ProbedBundle> {
    const trust = await loadTrustOrRefuse(this.#deps.trustDir);
    return probeBundleFile(path, { trust, device: (m) => deviceStateFor(this.#deps.store, m, this.#deps.now()), ...(signal ? { signal } : {}) });
  }

  async listBundles(): Promise<BundleOffer[]> {
    return this.#bundles();
  }

  async bundlePlan(id: string): Promise<UpgradePlan> {
    return this.#plan(this.#bundle(id), 'upgrade');
  }

  async discardBundle(actor: Actor, id: string): Promise<{ deleted: string }> {
    const b = this.#bundle(id);
    const refuse = (message: string) => {
      this.#deps.audit({ actor, action: 'bundle.delete', target: `${b.name} ${b.version}`, outcome: 'failure', detail: { bundleId: id, message } });
      return new OutpostError('bundle_in_use', message);
    };
    if (b.state !== 'offered') throw refuse(`${b.name} ${b.version} is a committed version kept for rollback, not an offer`);
    if (this.#deps.store.running()?.bundleId === id) throw refuse(`${b.name} ${b.version} is being applied`);
    this.#deps.store.deleteBundle(id);
    await this.#deps.bundles.remove(id);
    this.#emit({ kind: 'upgrade.bundles.v1', bundles: this.#bundles() });
    this.#deps.audit({ actor, action: 'bundle.delete', target: `${b.name} ${b.version}`, outcome: 'success', detail: { bundleId: id } });
    return { deleted: id };
  }

  /** Runs begin + drive on the runner; resolves with the id once the first journal row exists. */
  #start(actor: Actor, action: 'upgrade.apply' | 'release.rollback', b: BundleRow, kind: 'upgrade' | 'rollback'): Promise<{ upgradeId: string }> {
    const from = this.#deps.store.release(b.name)?.version ?? null;
    const what = `${b.name} ${from ?? '(none)'} -> ${b.version}`;
    const label = `the ${kind === 'rollback' ? 'rollback' : 'upgrade'} of ${b.name} ${from ?? '(nothing)'} → ${b.version}`;
    return new Promise((resolve, reject) => {
      let started = false;
      this.#deps.runner
        .run(
          async (signal) => {
            const id = this.#engine.begin({ kind, bundleId: b.id, actor: actor.name });
            started = true;
            this.#deps.audit({ actor, action, target: what, outcome: 'success', detail: { upgradeId: id, bundleId: b.id } });
            resolve({ upgradeId: id });
            await this.#engine.drive(id, signal);
          },
          { exclusive: true, label },
        )
        .catch((error: unknown) => {
          if (started) return this.#deps.log.warn({ err: error }, 'the upgrade stopped before its end; it resumes at the next start');
          this.#deps.audit({ actor, action, target: what, outcome: 'failure', detail: { bundleId: b.id, code: (error as OutpostError).code ?? 'internal_error', message: (error as Error).message } });
          reject(error);
        });
    });
  }

  async applyBundle(actor: Actor, id: string): Promise<{ upgradeId: string }> {
    const b = this.#bundle(id);
    if (b.state !== 'offered') throw new OutpostError('bundle_in_use', `${b.name} ${b.version} is already committed; an older kept version is reached with a rollback`);
    if (b.blocking.length > 0) {
      this.#deps.audit({ actor, action: 'upgrade.apply', target: `${b.name} ${b.version}`, outcome: 'failure', detail: { bundleId: id, blocking: b.blocking.map((p) => p.code) } });
      throw new OutpostError('upgrade_blocked', `${b.name} ${b.version} cannot be applied: ${b.blocking.map((p) => p.message).join('; ')}`);
    }
    await this.#deps.bundles.recheck(id, await loadTrustOrRefuse(this.#deps.trustDir)).catch((error: unknown) => Promise.reject(new OutpostError('bundle_refused', `the staged bundle no longer verifies: ${(error as Error).message}`, { cause: error })));
    return this.#start(actor, 'upgrade.apply', b, 'upgrade');
  }

  #previous(release: string): BundleRow {
    const current = this.#deps.store.release(release);
    if (!current) throw new OutpostError('release_not_found', `no release ${release}`);
    const previous = this.#deps.store.bundles('kept', release).find((b) => b.id !== current.bundleId);
    if (!previous) throw new OutpostError('nothing_to_roll_back', `${release} has no earlier committed version kept to roll back to`);
    return previous;
  }

  async rollbackPlan(release: string): Promise<UpgradePlan> {
    return this.#plan(this.#previous(release), 'rollback');
  }

  async rollbackRelease(actor: Actor, release: string): Promise<{ upgradeId: string }> {
    if (actor.role !== 'admin') throw new OutpostError('forbidden', 'rolling a release back needs the admin role');
    const b = this.#previous(release);
    await this.#deps.bundles.recheck(b.id, await loadTrustOrRefuse(this.#deps.trustDir)).catch((error: unknown) => Promise.reject(new OutpostError('bundle_refused', `the kept bundle no longer verifies: ${(error as Error).message}`, { cause: error })));
    return this.#start(actor, 'release.rollback', b, 'rollback');
  }

  async listReleases(): Promise<ReleaseInfo[]> {
    return this.#releases();
  }

  async currentUpgrade(): Promise<UpgradeRecord | null> {
    const row = this.#deps.store.running();
    return row ? recordOf(row, this.#workloads) : null;
  }

  async getUpgrade(id: string): Promise<UpgradeRecord | null> {
    const row = this.#deps.store.upgrade(id);
    return row ? recordOf(row, row.outcome === null ? this.#workloads : []) : null;
  }

  async upgradeHistory(query: { limit: number; release?: string }): Promise<UpgradeRecord[]> {
    return this.#deps.store.history(Math.min(Math.max(query.limit, 1), 500), query.release).map((u) => recordOf(u));
  }

  async upgradeState(): Promise<UpgradeState> {
    return upgradeStateOf(this.#deps.store, this.#workloads);
  }

  followUpgrade(id: string, onRecord: (record: UpgradeRecord) => void, signal?: AbortSignal): Promise<UpgradeRecord> {
    return new Promise((resolve, reject) => {
      const row = this.#deps.store.upgrade(id);
      if (!row) return reject(new OutpostError('upgrade_not_found', `no upgrade ${id}`));
      if (row.outcome !== null) return resolve(recordOf(row));
      const follower: Follower = {
        id,
        onRecord,
        done: (r) => {
          this.#followers.delete(follower);
          resolve(r);
        },
      };
      this.#followers.add(follower);
      onRecord(recordOf(row, this.#workloads));
      signal?.addEventListener('abort', () => (this.#followers.delete(follower), reject(signal.reason as Error)), { once: true });
    });
  }

  watchUpgrades(onEvent: (event: UpgradeEvent) => void, signal: AbortSignal): Promise<void> {
    this.#watchers.add(onEvent);
    return new Promise((resolve) => signal.addEventListener('abort', () => (this.#watchers.delete(onEvent), resolve()), { once: true }));
  }
}
