// Front door of the health capability: samples the node in tiers, keeps bounded history,
// evaluates thresholds, publishes the `health` feed topic, and serves /api/v1/health and /metrics.
// Other code imports health only from here.
import type { Registry } from 'prom-client';
import type { FeedHub, Topic } from '../feed/index.ts';
import type { RouteSpec } from '../http/index.ts';
import type { Logger } from '../lib/logger.ts';
import {
  HEALTH_SERIES,
  initialHealthState,
  reduceHealth,
  type HealthEvaluation,
  type HealthEvent,
  type HealthSnapshot,
  type HealthState,
  type HealthStatus,
} from '../protocol/health.ts';
import { DEFAULT_THRESHOLDS, evaluateHealth, sameEvaluation, type HealthThresholds } from './evaluate.ts';
import { HealthHistoryStore } from './history.ts';
import { cachedIdentity, fileIdentity, systemClock, type ClockProbe, type IdentityProbe } from './identity-adapter.ts';
import { createHealthRegistry } from './metrics.ts';
import { ProcReader, realStatfs, type StatfsFn } from './proc-reader.ts';
import { healthRoutes } from './routes.ts';
import { HealthSampler, type Tiers } from './sampler.ts';

export { DEFAULT_THRESHOLDS, evaluateHealth, type HealthThresholds } from './evaluate.ts';
export { HealthHistoryStore } from './history.ts';
export { ProcReader, type StatfsFn, type StatfsResult } from './proc-reader.ts';
export { HealthSampler } from './sampler.ts';

export interface HealthTransition {
  from: HealthStatus;
  to: HealthStatus;
  evaluation: HealthEvaluation;
  time: number;
}

export interface HealthOptions {
  hub: FeedHub;
  log: Logger;
  thresholds?: HealthThresholds;
  tiers?: Partial<Tiers>;
  /** Feed client count for /metrics. */
  clientCount?: () => number;
  /** Root of the /proc and /sys tree (tests point it at fixtures). */
  root?: string;
  statfs?: StatfsFn;
  identity?: IdentityProbe;
  clock?: ClockProbe;
  now?: () => number;
  /** Called on every status change (the audit/log hook). */
  onTransition?: (transition: HealthTransition) => void;
  /** Called when someone asks the kiosk to flash (the audit hook). */
  onIdentify?: (request: { seconds: number; until: number; ip: string | undefined }) => void;
  /** Include the daemon's process metrics (default true). */
  processMetrics?: boolean;
}

export interface Health {
  readonly topic: Topic<HealthState, HealthEvent>;
  readonly registry: Registry;
  readonly history: HealthHistoryStore;
  readonly sampler: HealthSampler;
  start(): void;
  stop(): void;
  routes(): RouteSpec[];
  snapshot(): HealthSnapshot;
  /** The cluster capability's input: the Kubernetes node's Ready condition; null = no cluster. */
  setCluster(cluster: { nodeReady: boolean; reason: string | null } | null): void;
  identify(seconds: number, ip?: string): { until: number };
}

export function createHealth(options: HealthOptions): Health {
  const log = options.log.child({ module: 'health' });
  const now = options.now ?? Date.now;
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const tiers: Tiers = { fastMs: 1000, mediumMs: 10_000, slowMs: 60_000, ...options.tiers };
  const reader = new ProcReader(options.root ?? '/');
  const history = new HealthHistoryStore(HEALTH_SERIES);
  const transitionsByStatus = new Map<HealthStatus, number>();
  let cluster: { nodeReady: boolean; reason: string | null } | null = null;
  let identifyTimer: NodeJS.Timeout | undefined;

  const topic = options.hub.define<HealthState, HealthEvent>({ name: 'health', policy: 'viewer', kiosk: true, initial: initialHealthState(thresholds), reduce: reduceHealth });

  function reevaluate(time: number): void {
    const sample = sampler.latest;
    if (!sample) return;
    const evaluation = evaluateHealth({ sample, thresholds, cpuMeanPct: history.fineLength >= 30 ? history.recentMean('cpu', 60) : null, cluster });
    const previous = topic.state.evaluation;
    if (evaluation.status !== previous.status) {
      const transitions = topic.state.transitions + 1;
      transitionsByStatus.set(evaluation.status, (transitionsByStatus.get(evaluation.status) ?? 0) + 1);
      topic.publish({ kind: 'health.status.v1', time, from: previous.status, evaluation, transitions });
      log.info({ from: previous.status, to: evaluation.status, reasons: evaluation.reasons.map((r) => r.message) }, 'node health changed');
      options.onTransition?.({ from: previous.status, to: evaluation.status, evaluation, time });
    } else if (!sameEvaluation(evaluation, previous)) {
      topic.publish({ kind: 'health.reasons.v1', evaluation });
    }
  }

  const sampler = new HealthSampler({
    reader,
    statfs: options.statfs ?? realStatfs,
    identity: options.identity ?? cachedIdentity(fileIdentity({ root: options.root ?? '/' })),
    clock: options.clock ?? systemClock(reader),
    tiers,
    now,
    onSample(event, sample) {
      history.record(sample.time, event.point);
      topic.publish(event);
      reevaluate(sample.time);
    },
    onError(tier, error) {
      log.warn({ err: error, tier }, 'health sampling pass failed');
    },
  });

  // uname changes only with a kernel update or a new hostname: read at most once a minute.
  let unameAt = Number.NEGATIVE_INFINITY;
  let unameValue: ReturnType<ProcReader['uname']> = null;
  const readUname = (): ReturnType<ProcReader['uname']> => {
    if (now() - unameAt > 60_000) {
      unameValue = reader.uname();
      unameAt = now();
    }
    return unameValue;
  };
  const registry = createHealthRegistry(
    {
      sample: () => sampler.latest,
      reading: () => sampler.latestReading,
      status: () => topic.state.evaluation.status,
      transitions: () => transitionsByStatus,
      history: () => history.memory,
      feedClients: options.clientCount ?? (() => 0),
      reportedDisks: () => (sampler.latest?.disks ?? []).map((d) => d.name),
      uname: readUname,
    },
    { defaultMetrics: options.processMetrics ?? true, now },
  );

  function snapshot(): HealthSnapshot {
    const { recent: _recent, ...state } = topic.state;
    return { ...state, history: history.memory, tiers };
  }

  function identify(seconds: number, ip?: string): { until: number } {
    const until = now() + seconds * 1000;
    clearTimeout(identifyTimer);
    topic.publish({ kind: 'health.identify.v1', until });
    identifyTimer = setTimeout(() => topic.publish({ kind: 'health.identify.v1', until: null }), seconds * 1000);
    identifyTimer.unref();
    log.info({ seconds, ip }, 'identify this device');
    options.onIdentify?.({ seconds, until, ip });
    return { until };
  }

  return {
    topic,
    registry,
    history,
    sampler,
    start() {
      sampler.start();
    },
    stop() {
      sampler.stop();
      reader.close();
      clearTimeout(identifyTimer);
    },
    routes: () =>
      healthRoutes({
        snapshot,
        history: (range, points, series) => history.query(range, points, series),
        registry,
        identify: (seconds, req) => identify(seconds, req.ip),
      }),
    snapshot,
    setCluster(next) {
      if (JSON.stringify(next) === JSON.stringify(cluster)) return;
      cluster = next;
      topic.publish({ kind: 'health.cluster.v1', cluster });
      reevaluate(now());
    },
    identify,
  };
}
