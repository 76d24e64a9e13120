// Front door of the status capability: the device verdict (docs/status.md). It reads its inputs
// through the closures main.ts hands it (health, cluster, upgrade, Outpost's own faults), combines
// them with the pure `combineStatus`, publishes the `status` topic on every change and serves
// GET /api/v1/status. Time-dependent rules (grace periods, a stalled sampler) need a clock: it
// recomputes every `intervalMs` (1 s); each pass costs one walk over the workloads in trouble.
import { Gauge, type Registry } from 'prom-client';
import type { FeedHub, Topic } from '../feed/index.ts';
import type { RouteSpec } from '../http/index.ts';
import type { Logger } from '../lib/logger.ts';
import type { ClusterStatus, WorkloadSummary } from '../protocol/cluster.ts';
import type { HealthEvaluation } from '../protocol/health.ts';
import { initialStatusState, reduceStatus, STATUS_SOURCES, type DeviceVerdict, type StatusEvent, type StatusState } from '../protocol/status.ts';
import { combineStatus, sameVerdict, type StatusConcern, type StatusRules } from './combine.ts';

export { upgradeConcerns } from './upgrade-concerns.ts';
export { combineStatus, sameVerdict, MAX_WORKLOAD_REASONS, type StatusConcern, type StatusInputs, type StatusRules } from './combine.ts';

export const DEFAULT_STATUS_RULES: StatusRules = { clusterGraceMs: 60_000, clusterBootGraceMs: 300_000, samplerStallMs: 10_000 };

export interface StatusOptions {
  hub: FeedHub;
  log: Logger;
  rules?: Partial<StatusRules>;
  intervalMs?: number;
  now?: () => number;
  /** Unix ms when the daemon started (default: when this was created). */
  startedAt?: number;
  node(): { evaluation: HealthEvaluation; lastSampleAt: number | null };
  /** Null when there is no cluster capability (no kubeconfig). */
  cluster(): { status: ClusterStatus; workloads: readonly WorkloadSummary[] } | null;
  /** Failed or rolled-back upgrades; the upgrade engine's input (empty until it is wired). */
  upgrade?(): readonly StatusConcern[];
  /** Outpost's own faults, such as a capability that failed to start. */
  outpost?(): readonly StatusConcern[];
  /** Where `outpost_device_status` and `outpost_device_reasons` are scraped (/metrics). */
  registry?: Registry;
}

export interface StatusService {
  readonly topic: Topic<StatusState, StatusEvent>;
  /** Recomputes now and returns the verdict (published when it changed). */
  refresh(): DeviceVerdict;
  routes(): RouteSpec[];
  start(): void;
  stop(): void;
}

export function createStatus(options: StatusOptions): StatusService {
  const log = options.log.child({ module: 'status' });
  const now = options.now ?? Date.now;
  const startedAt = options.startedAt ?? now();
  const rules: StatusRules = { ...DEFAULT_STATUS_RULES, ...options.rules };
  const initial = initialStatusState(startedAt);
  const topic = options.hub.define<StatusState, StatusEvent>({ name: 'status', policy: 'viewer', kiosk: true, initial, reduce: reduceStatus });
  let everConnected = false;
  let timer: NodeJS.Timeout | undefined;

  function refresh(): DeviceVerdict {
    const t = now();
    const cluster = options.cluster();
    if (cluster?.status.state === 'connected') everConnected = true;
    const previous = topic.state;
    const verdict = combineStatus(
      {
        now: t,
        startedAt,
        node: options.node(),
        cluster: cluster ? { ...cluster, everConnected } : null,
        upgrade: options.upgrade?.() ?? [],
        outpost: options.outpost?.() ?? [],
      },
      rules,
      previous,
    );
    if (sameVerdict(verdict, previous)) return previous;
    topic.publish({ kind: 'status.verdict.v1', verdict });
    if (verdict.status !== previous.status) {
      const level = verdict.status === 'ok' ? 'info' : 'warn';
      const reasons = verdict.reasons.map((r) => r.message);
      log[level]({ from: previous.status, to: verdict.status, reasons }, `device status ${previous.status} -> ${verdict.status}`);
    }
    return verdict;
  }

  if (options.registry) {
    const registers = [options.registry];
    new Gauge({
      name: 'outpost_device_status',
      help: 'The device verdict (node, cluster, workloads, upgrades, Outpost itself): 1 for the active status.',
      labelNames: ['status'],
      registers,
      collect() {
        for (const st of ['ok', 'warning', 'critical'] as const) this.set({ status: st }, st === topic.state.status ? 1 : 0);
      },
    });
    new Gauge({
      name: 'outpost_device_reasons',
      help: 'Reasons the device verdict gives, by source.',
      labelNames: ['source'],
      registers,
      collect() {
        for (const source of STATUS_SOURCES) this.set({ source }, topic.state.reasons.filter((r) => r.source === source).length);
      },
    });
  }

  return {
    topic,
    refresh,
    routes: () => [
      {
        method: 'GET',
        path: '/api/v1/status',
        policy: 'viewer',
        summary: 'the device verdict: ok, warning or critical with the reasons from every source',
        handler: (_req, res) => {
          res.setHeader('Cache-Control', 'no-store');
          res.json(refresh());
        },
      },
    ],
    start() {
      if (timer) return;
      refresh();
      timer = setInterval(() => {
        try {
          refresh();
        } catch (error) {
          log.error({ err: error }, 'computing the device status failed');
        }
      }, options.intervalMs ?? 1000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
