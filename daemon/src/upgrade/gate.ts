// The health gate (I/O): polls every workload of a release and judges it with the daemon's one
// "settled healthy" predicate, until all are settled, one fails, or the timeout passes. A failure
// carries each failing pod's reason, last log lines and events.
// settled.ts is imported directly, not through cluster/index.ts: that front door also loads the
// cluster's HTTP routes, and the agent side must not load http/ (it moves to its own process).
import { settledVerdict, type SettledVerdict } from '../cluster/settled.ts';
import type { KObject } from '../cluster/kube-types.ts';
import { MAX_FAILURE_REASONS, MAX_REASON_LOG_LINES, type FailureReason, type WorkloadRollout } from '../protocol/upgrade.ts';
import { isUnreachable } from './errors.ts';
import { GateTracker, parseWorkloadKey, selectorString, type WorkloadRef } from './gate-pure.ts';
import type { ClusterPort, KObj } from './kube-rest.ts';

export interface GateOptions {
  kube: ClusterPort;
  workloads: readonly string[];
  /** Only what happens after this counts (the gate's start). */
  since: number;
  stabilityMs: number;
  timeoutMs: number;
  failingGraceMs: number;
  pollMs: number;
  now(): number;
  signal: AbortSignal;
  onProgress(rollouts: WorkloadRollout[]): void;
  /** Called after each poll (a fault point). */
  afterPoll?: () => void;
}

export type GateResult = { ok: true } | { ok: false; code: 'upgrade.gate_failed' | 'upgrade.gate_timeout'; message: string; reasons: FailureReason[] };

interface Judged {
  ref: WorkloadRef;
  verdict: SettledVerdict;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function judge(kube: ClusterPort, ref: WorkloadRef, options: GateOptions, now: number): Promise<SettledVerdict> {
  const object = await kube.get({ apiVersion: ref.apiVersion, kind: ref.apiKind, namespace: ref.namespace, name: ref.name });
  if (!object) {
    const message = ref.name.startsWith('helm-install-') ? 'waiting for the chart install job' : `${ref.apiKind} ${ref.namespace}/${ref.name} does not exist`;
    return { state: 'settling', message, ready: 0, desired: 1, problems: [], settlesAt: null };
  }
  let pods: KObj[];
  if (ref.kind === 'pod') pods = [object];
  else {
    const selector = selectorString((object.spec as { selector?: unknown } | undefined)?.selector);
    pods = selector ? await kube.list('v1', 'Pod', ref.namespace, selector) : [];
  }
  const generation = Number((object.metadata as { generation?: number } | undefined)?.generation ?? 0);
  return settledVerdict(ref.kind, object as KObject, pods as KObject[], { now, stabilityMs: options.stabilityMs, since: options.since, minGeneration: generation });
}

async function reasonsFor(kube: ClusterPort, judged: readonly Judged[], culprits: readonly string[]): Promise<FailureReason[]> {
  const out: FailureReason[] = [];
  for (const { ref, verdict } of judged.filter((j) => culprits.includes(j.ref.key))) {
    if (verdict.problems.length === 0) {
      out.push({ object: ref.key, pod: null, container: null, reason: 'NotSettled', message: verdict.message, exitCode: null, logs: [], events: [] });
      continue;
    }
    for (const p of verdict.problems) {
      if (out.length >= MAX_FAILURE_REASONS) return out;
      const logs = await kube
        .podLog(ref.namespace, p.pod, p.container, { tailLines: MAX_REASON_LOG_LINES, previous: p.restarts > 0 })
        .catch(() => kube.podLog(ref.namespace, p.pod, p.container, { tailLines: MAX_REASON_LOG_LINES, previous: false }))
        .catch((error: unknown) => `(no log: ${(error as Error).message})`);
      const events = await kube.list('v1', 'Event', ref.namespace, undefined, `involvedObject.name=${p.pod}`).catch(() => []);
      const recent = events
        .map((e) => e as { reason?: string; message?: string; lastTimestamp?: string; eventTime?: string })
        .sort((a, b) => String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')))
        .slice(-5)
        .map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
      const lines = logs.split('\n').filter((l) => l !== '').slice(-MAX_REASON_LOG_LINES);
      out.push({ object: ref.key, pod: p.pod, container: p.container, reason: p.reason, message: p.message, exitCode: p.exitCode, logs: lines, events: recent });
    }
  }
  return out;
}

export async function runGate(options: GateOptions): Promise<GateResult> {
  const refs = options.workloads.map(parseWorkloadKey).filter((r): r is WorkloadRef => r !== null);
  const tracker = new GateTracker({ since: options.since, timeoutMs: options.timeoutMs, failingGraceMs: options.failingGraceMs });
  let last = '';
  for (;;) {
    const now = options.now();
    const judged: Judged[] = [];
    try {
      for (const ref of refs) judged.push({ ref, verdict: await judge(options.kube, ref, options, now) });
    } catch (error) {
      // A blip of the API server is not the workloads' failure: poll again; the timeout still bounds the gate.
      if (!isUnreachable(error)) throw error;
      if (now - options.since >= options.timeoutMs) return { ok: false, code: 'upgrade.gate_timeout', message: `the API server did not answer: ${(error as Error).message}`, reasons: [] };
      await sleep(options.pollMs, options.signal);
      continue;
    }
    const rollouts: WorkloadRollout[] = judged.map(({ ref, verdict }) => ({ key: ref.key, state: verdict.state, message: verdict.message, ready: verdict.ready, desired: verdict.desired, settlesAt: verdict.settlesAt }));
    const text = JSON.stringify(rollouts);
    if (text !== last) options.onProgress(rollouts);
    last = text;
    options.afterPoll?.();
    const decision = tracker.decide(rollouts, now);
    if (decision.kind === 'pass') return { ok: true };
    if (decision.kind === 'fail') return { ok: false, code: decision.code, message: decision.message, reasons: await reasonsFor(options.kube, judged, decision.culprits) };
    await sleep(options.pollMs, options.signal);
  }
}
