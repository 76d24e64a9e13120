// The agent's side of USB sticks: for each stick `outpost usb attach` mounted, look at every bundle
// file (signature and manifest first: a bad signature costs one read of the manifest), offer the
// highest valid sequence per release (fully verified and staged: only the staged copy is used), and,
// by policy, apply it. Invariants: one stick is worked on at a time (others wait, in order); a stick
// removed while it is read aborts the read, its staging is deleted and nothing changes; once a
// bundle is staged, removing the stick no longer matters; every stick ends removable, whatever fails.
import type { Actor, OfferResult } from '../agent/index.ts';
import { isBundleError, type ProbedBundle } from '../bundles/index.ts';
import { OutpostError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { initialUsbState, reduceUsb, type StickBundle, type StickResult, type StickState, type UsbEvent, type UsbPolicy, type UsbState } from '../protocol/arrival.ts';
import type { UpgradeRecord } from '../protocol/upgrade.ts';
import { resultDocument, resultText } from './result-pure.ts';
import { candidatesByRelease, isDeviceName, newStick, refusalOf } from './stick-pure.ts';
import type { StickContents } from './stick-files-adapter.ts';
import type { UsbAttachRequest, UsbAttachResult, UsbDetachRequest } from './types.ts';

/** The upgrade verbs the USB flow uses (the in-process upgrade service). */
export interface UsbUpgrades {
  probeBundle(path: string, signal?: AbortSignal): Promise<ProbedBundle>;
  offerBundle(actor: Actor, request: { path: string; source: 'usb' }, signal?: AbortSignal): Promise<OfferResult>;
  applyBundle(actor: Actor, id: string): Promise<{ upgradeId: string }>;
  currentUpgrade(): Promise<UpgradeRecord | null>;
  followUpgrade(id: string, onRecord: (record: UpgradeRecord) => void, signal?: AbortSignal): Promise<UpgradeRecord>;
}

export interface UsbServiceDeps {
  upgrades: UsbUpgrades;
  policy: UsbPolicy;
  log: Logger;
  now(): number;
  device: { hostname: string; outpostVersion: string };
  checkMount(devicePath: string, mountPoint: string): Promise<void>;
  readContents(mountPoint: string): Promise<StickContents>;
  audit(entry: { actor: Actor; action: string; target: string; outcome: 'success' | 'failure'; detail: Record<string, unknown> }): void;
  /** How often to look whether another upgrade has finished before applying (default 2 s). */
  laneWaitMs?: number;
}

interface Visit {
  stick: StickState;
  /** Aborted when the stick is removed: stops reads, never an upgrade that runs from staged copies. */
  reads: AbortController;
  emit(stick: StickState): void;
}

export class UsbService {
  readonly #deps: UsbServiceDeps;
  readonly #visits = new Map<string, Visit>();
  readonly #watchers = new Set<(e: UsbEvent) => void>();
  #state: UsbState;
  #lane: Promise<unknown> = Promise.resolve();

  constructor(deps: UsbServiceDeps) {
    this.#deps = deps;
    this.#state = initialUsbState(deps.policy);
  }

  #publish(event: UsbEvent): void {
    this.#state = reduceUsb(this.#state, event);
    for (const watcher of this.#watchers) watcher(event);
  }

  #update(visit: Visit, change: Partial<StickState>): void {
    visit.stick = { ...visit.stick, ...change, updatedAt: this.#deps.now() };
    this.#publish({ kind: 'usb.stick.v1', stick: visit.stick });
    visit.emit(visit.stick);
  }

  #setBundle(visit: Visit, file: string, change: Partial<StickBundle>): void {
    this.#update(visit, { bundles: visit.stick.bundles.map((b) => (b.file === file ? { ...b, ...change } : b)) });
  }

  async usbState(): Promise<UsbState> {
    return this.#state;
  }

  watchUsb(onEvent: (event: UsbEvent) => void, signal: AbortSignal): Promise<void> {
    this.#watchers.add(onEvent);
    return new Promise((resolve) => signal.addEventListener('abort', () => (this.#watchers.delete(onEvent), resolve()), { once: true }));
  }

  /** Works through one stick; resolves with what `outpost usb attach` writes back before it unmounts. */
  usbAttach(request: UsbAttachRequest, onState: (stick: StickState) => void, signal?: AbortSignal): Promise<UsbAttachResult> {
    if (!isDeviceName(request.device)) return Promise.reject(new OutpostError('bad_request', `not a block device name: ${String(request.device).slice(0, 40)}`));
    const existing = this.#visits.get(request.device);
    if (existing && !existing.stick.removable) return Promise.reject(new OutpostError('bad_request', `${request.device} is already being worked on`));
    // A stick that was removed early stays on screen until another one arrives.
    for (const [device, v] of this.#visits) if (v.stick.removable && device !== request.device) this.#forget(device);
    const visit: Visit = { stick: newStick(request, this.#deps.policy, this.#deps.now()), reads: new AbortController(), emit: onState };
    signal?.addEventListener('abort', () => visit.reads.abort(new Error('outpost usb attach stopped')), { once: true });
    this.#visits.set(request.device, visit);
    this.#publish({ kind: 'usb.stick.v1', stick: visit.stick });
    const waiting = this.#visits.size > 1;
    if (waiting) this.#update(visit, { message: 'Waiting for the other stick' });
    const run = this.#lane.then(() => this.#visit(visit, request));
    this.#lane = run.catch(() => undefined);
    // Later changes (unmounted, removed) reach the feed only: this call's stream has ended.
    return run.finally(() => (visit.emit = () => undefined));
  }

  async #visit(visit: Visit, request: UsbAttachRequest): Promise<UsbAttachResult> {
    const started = this.#deps.now();
    try {
      if (request.problem) {
        this.#update(visit, { phase: 'failed', code: request.problem.code, message: request.problem.message, removable: true });
        return { write: null, support: false };
      }
      if (this.#deps.policy === 'off') {
        this.#update(visit, { phase: 'writing', code: 'usb.policy_off', message: 'USB upgrades are turned off on this device (usb.policy: off): nothing was read' });
        return { write: null, support: false };
      }
      await this.#deps.checkMount(request.devicePath, request.mountPoint as string);
      const contents = await this.#deps.readContents(request.mountPoint as string);
      const bundles: StickBundle[] = contents.files.map((f) => ({ file: f.file, bytes: 0, release: null, version: null, sequence: null, state: 'pending', code: null, message: null, bundleId: null }));
      this.#update(visit, { bundles, found: bundles.length, phase: 'verifying', message: bundles.length === 0 ? 'No bundle on this stick' : `Verifying 1 of ${bundles.length}` });
      if (bundles.length === 0) this.#update(visit, { code: 'usb.no_bundle', message: 'No bundle (*.outpost) on this stick' });
      await this.#check(visit, contents);
      const offered = await this.#offer(visit, contents);
      await this.#applyAll(visit, offered);
      this.#finishMessage(visit);
      this.#update(visit, { phase: 'writing' });
      const doc = resultDocument(visit.stick, this.#deps.device, this.#deps.now());
      return { write: { json: `${JSON.stringify(doc, null, 2)}\n`, text: resultText(doc) }, support: contents.supportRequested };
    } catch (error) {
      const removed = visit.reads.signal.aborted;
      const code = removed ? 'usb.removed_early' : 'usb.unreadable';
      const message = removed ? 'The stick was removed while it was being read: nothing was changed' : `The stick could not be read: ${(error as Error).message}`;
      if (!removed) this.#deps.log.warn({ err: error, device: visit.stick.device }, 'a USB stick could not be read');
      this.#update(visit, { phase: 'failed', code, message, removable: removed });
      // Written back when the stick is still there, so whoever holds it learns why.
      const doc = resultDocument(visit.stick, this.#deps.device, this.#deps.now());
      return { write: removed ? null : { json: `${JSON.stringify(doc, null, 2)}\n`, text: resultText(doc) }, support: false };
    } finally {
      const s = visit.stick;
      this.#deps.audit({
        actor: { name: s.actor, role: 'operator', address: 'usb' },
        action: 'usb.stick',
        target: `stick ${s.label ?? s.serial ?? s.device} (${s.device})`,
        outcome: s.phase === 'failed' || s.results.some((r) => r.outcome !== 'committed' && r.outcome !== 'offered') ? 'failure' : 'success',
        detail: { code: s.code, message: s.message, policy: s.policy, found: s.found, results: s.results.map((r) => ({ release: r.release, version: r.toVersion, outcome: r.outcome, code: r.code })), ms: this.#deps.now() - started },
      });
    }
  }

  /** Signature and manifest of every file; a bad one costs one read of its first two members. */
  async #check(visit: Visit, contents: StickContents): Promise<void> {
    for (const [i, f] of contents.files.entries()) {
      this.#update(visit, { checked: i, message: `Verifying ${i + 1} of ${contents.files.length}` });
      try {
        const p: ProbedBundle = await this.#deps.upgrades.probeBundle(f.path, visit.reads.signal);
        this.#setBundle(visit, f.file, { state: 'checked', bytes: p.bytes, release: p.manifest.name, version: p.manifest.version, sequence: p.manifest.sequence });
      } catch (error) {
        if (visit.reads.signal.aborted) throw error;
        if (!isBundleError(error) && !(error instanceof OutpostError)) throw error;
        this.#setBundle(visit, f.file, { state: 'refused', ...refusalOf(error) });
      }
      this.#update(visit, { checked: i + 1 });
    }
  }

  /** Offers the highest sequence of each release, falling back to the next when it fails in full. */
  async #offer(visit: Visit, contents: StickContents): Promise<{ bundle: StickBundle; offer: OfferResult }[]> {
    const offered: { bundle: StickBundle; offer: OfferResult }[] = [];
    const actor = { name: visit.stick.actor, role: 'operator', address: 'usb' };
    for (const candidates of candidatesByRelease(visit.stick.bundles).values()) {
      for (const [i, candidate] of candidates.entries()) {
        if (i > 0 && offered.some((o) => o.bundle.release === candidate.release)) {
          this.#setBundle(visit, candidate.file, { state: 'superseded', message: `a higher sequence of ${candidate.release} is on the stick` });
          continue;
        }
        const path = contents.files.find((f) => f.file === candidate.file)?.path as string;
        this.#setBundle(visit, candidate.file, { state: 'verifying' });
        this.#update(visit, { message: `Verifying ${candidate.release} ${candidate.version}` });
        try {
          const offer = await this.#deps.upgrades.offerBundle(actor, { path, source: 'usb' }, visit.reads.signal);
          this.#setBundle(visit, candidate.file, { state: 'offered', bundleId: offer.bundle.id });
          offered.push({ bundle: { ...candidate, bundleId: offer.bundle.id }, offer });
        } catch (error) {
          if (visit.reads.signal.aborted) throw error;
          this.#setBundle(visit, candidate.file, { state: 'refused', ...refusalOf(error) });
        }
      }
    }
    return offered;
  }

  async #applyAll(visit: Visit, offered: { bundle: StickBundle; offer: OfferResult }[]): Promise<void> {
    const actor = { name: visit.stick.actor, role: 'operator', address: 'usb' };
    for (const { bundle, offer } of offered) {
      const plan = offer.plan;
      const base = { release: plan.release, file: bundle.file, fromVersion: plan.from?.version ?? null, toVersion: plan.to.version, sequence: plan.to.sequence, bundleId: offer.bundle.id, upgradeId: null };
      const started = this.#deps.now();
      const blocking = plan.problems.filter((p) => p.blocking).map((p) => p.message);
      this.#update(visit, { phase: 'planned', message: `${plan.release} ${plan.from?.version ?? '(nothing)'} → ${plan.to.version}: ${plan.steps} steps` });
      let result: StickResult;
      if (this.#deps.policy === 'confirm') {
        const why = ['usb.policy is confirm: an operator applies it from the LocalUI', ...blocking];
        result = { ...base, outcome: 'offered', code: blocking.length > 0 ? 'upgrade.blocked' : null, reasons: why, startedAt: started, finishedAt: this.#deps.now() };
      } else if (blocking.length > 0) {
        // Never applied automatically; it stays offered, so an operator can see why in the LocalUI.
        result = { ...base, outcome: 'refused', code: 'upgrade.blocked', reasons: blocking, startedAt: started, finishedAt: this.#deps.now() };
      } else {
        result = await this.#apply(visit, actor, offer.bundle.id, base, started);
      }
      this.#update(visit, { results: [...visit.stick.results, result], upgradeId: null });
    }
  }

  async #apply(visit: Visit, actor: Actor, bundleId: string, base: Omit<StickResult, 'outcome' | 'code' | 'reasons' | 'startedAt' | 'finishedAt'>, started: number): Promise<StickResult> {
    // Another upgrade holds the lane (a second stick, an operator): wait for it rather than fail.
    while (await this.#deps.upgrades.currentUpgrade()) {
      this.#update(visit, { phase: 'waiting', message: 'Waiting for the running upgrade to finish' });
      await new Promise((r) => setTimeout(r, this.#deps.laneWaitMs ?? 2000));
    }
    try {
      const { upgradeId } = await this.#deps.upgrades.applyBundle(actor, bundleId);
      this.#update(visit, { phase: 'applying', upgradeId, message: `Applying ${base.release} ${base.toVersion}` });
      const record = await this.#deps.upgrades.followUpgrade(upgradeId, () => undefined);
      const outcome = record.outcome === 'committed' || record.outcome === 'rolled_back' || record.outcome === 'failed' ? record.outcome : 'refused';
      const reasons = record.reasons.length > 0 ? record.reasons.map((r) => `${r.object}: ${r.reason} ${r.message}`.trim()) : outcome === 'committed' ? [] : [record.message];
      return { ...base, upgradeId, outcome, code: record.code, reasons, startedAt: started, finishedAt: this.#deps.now() };
    } catch (error) {
      const { code, message } = refusalOf(error);
      return { ...base, outcome: 'refused', code, reasons: [message], startedAt: started, finishedAt: this.#deps.now() };
    }
  }

  #finishMessage(visit: Visit): void {
    const r = visit.stick.results;
    if (r.length === 0) {
      const refused = visit.stick.bundles.filter((b) => b.state === 'refused');
      if (visit.stick.found > 0) this.#update(visit, { code: refused[0]?.code ?? null, message: `Nothing to apply: ${refused.map((b) => `${b.file} (${b.code})`).join(', ') || 'no usable bundle'}` });
      return;
    }
    const words = r.map((x) => `${x.release} ${x.toVersion} ${x.outcome.replace('_', ' ')}`).join('; ');
    this.#update(visit, { code: r.find((x) => x.code)?.code ?? null, message: words });
  }

  /** The stick was unmounted (by `attach`, after writing back) or removed (udev). */
  async usbDetach(request: UsbDetachRequest): Promise<{ device: string; known: boolean }> {
    const visit = this.#visits.get(request.device);
    if (!visit) return { device: request.device, known: false };
    if (request.reason === 'unmounted') {
      this.#update(visit, {
        phase: visit.stick.phase === 'failed' ? 'failed' : 'done',
        removable: true,
        resultFile: request.resultFile ?? visit.stick.resultFile,
        supportBundle: request.supportBundle ?? visit.stick.supportBundle,
      });
      return { device: request.device, known: true };
    }
    const reading = !visit.stick.removable && ['found', 'verifying'].includes(visit.stick.phase);
    if (reading) {
      visit.reads.abort(new Error('the stick was removed'));
      return { device: request.device, known: true };
    }
    if (!visit.stick.removable) {
      // Removed after its bundles were staged: the upgrade goes on from the staged copies.
      this.#update(visit, { resultFile: { written: false, message: 'the stick was removed before the result could be written' } });
      visit.reads.abort(new Error('the stick was removed'));
      return { device: request.device, known: true };
    }
    if (visit.stick.phase !== 'failed') this.#forget(request.device);
    return { device: request.device, known: true };
  }

  #forget(device: string): void {
    this.#visits.delete(device);
    this.#publish({ kind: 'usb.gone.v1', device });
  }
}
