// Pure: the device verdict from every source (docs/status.md holds the rules in a table). "ok" only
// when no source says otherwise. A reason keeps the `since` it had in the previous verdict when its
// source and subject are the same, so a crash loop's message may change while its age does not.
import type { ClusterStatus, WorkloadSummary } from '../protocol/cluster.ts';
import type { HealthEvaluation } from '../protocol/health.ts';
import { MAX_STATUS_REASONS, STATUS_SOURCES, type DeviceStatus, type DeviceVerdict, type StatusReason, type StatusSource } from '../protocol/status.ts';

/** A reason handed in whole by another capability (an upgrade failure, a fault of Outpost itself). */
export interface StatusConcern {
  severity: StatusReason['severity'];
  subject: string;
  message: string;
  /** Unix ms when it began; null: when the combine first saw it. */
  since: number | null;
}

export interface StatusRules {
  /** How long a lost or partial cluster connection may last before it counts as critical / at all. */
  clusterGraceMs: number;
  /** Since the daemon started, how long the API server may not answer before that is critical (k3s boots slowly). */
  clusterBootGraceMs: number;
  /** No health sample for this long means the sampler has stalled. */
  samplerStallMs: number;
}

export interface StatusInputs {
  now: number;
  /** Unix ms when this daemon started. */
  startedAt: number;
  node: { evaluation: HealthEvaluation; lastSampleAt: number | null };
  /** Null when there is no cluster capability at all (no kubeconfig). */
  cluster: { status: ClusterStatus; everConnected: boolean; workloads: readonly WorkloadSummary[] } | null;
  upgrade: readonly StatusConcern[];
  /** Outpost's own faults: a capability that failed to start… (the stalled sampler is judged here). */
  outpost: readonly StatusConcern[];
}

const RANK: Record<DeviceStatus, number> = { ok: 0, warning: 1, critical: 2 };
const SOURCE_ORDER = new Map<StatusSource, number>(STATUS_SOURCES.map((s, i) => [s, i]));
/** Workload statuses that mean its containers keep failing or cannot start at all. */
const BROKEN = new Set([
  ...['CrashLoopBackOff', 'Crashed', 'OOMKilled', 'Error', 'Failed', 'RolloutFailed'],
  ...['ImagePullBackOff', 'ErrImagePull', 'ErrImageNeverPull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError'],
]);
/** Reasons about workloads beyond this many are summed up in one, which sorts last. */
export const MAX_WORKLOAD_REASONS = 20;
const MORE = '…more';

type Draft = Omit<StatusReason, 'since'> & { since: number | null };

function nodeReasons(inputs: StatusInputs, rules: StatusRules): Draft[] {
  const out: Draft[] = inputs.node.evaluation.reasons.map((r) => ({
    source: 'node',
    severity: r.severity,
    subject: `${r.kind}:${r.subject}`,
    message: r.message,
    since: null,
  }));
  const last = inputs.node.lastSampleAt ?? inputs.startedAt;
  if (inputs.now - last >= rules.samplerStallMs) {
    const message =
      inputs.node.lastSampleAt === null
        ? 'Outpost has not measured the node since it started (the health sampler is stuck)'
        : 'Outpost has stopped measuring the node (no health sample lately): the numbers shown are old';
    out.push({ source: 'outpost', severity: 'critical', subject: 'sampler', message, since: last });
  }
  return out;
}

function clusterReasons(cluster: NonNullable<StatusInputs['cluster']>, inputs: StatusInputs, rules: StatusRules): Draft[] {
  const { state, since, lastError } = cluster.status;
  const held = inputs.now - since;
  const why = lastError ? `: ${lastError}` : '';
  if (state === 'degraded' && held >= rules.clusterGraceMs) {
    return [{ source: 'cluster', severity: 'warning', subject: 'api', message: `The Kubernetes API answers only in part${why}`, since }];
  }
  if (state !== 'unreachable' && state !== 'connecting') return [];
  if (cluster.everConnected) {
    const severity = held >= rules.clusterGraceMs ? 'critical' : 'warning';
    return [{ source: 'cluster', severity, subject: 'api', message: `The Kubernetes API is not answering (Outpost keeps retrying)${why}`, since }];
  }
  // Never connected since the daemon started: k3s booting with the device is normal for a while.
  const booting = inputs.now - inputs.startedAt;
  if (booting < rules.clusterGraceMs) return [];
  const severity = booting >= rules.clusterBootGraceMs ? 'critical' : 'warning';
  return [{ source: 'cluster', severity, subject: 'api', message: `The Kubernetes API has not answered since Outpost started${why}`, since: inputs.startedAt }];
}

function workloadReasons(cluster: NonNullable<StatusInputs['cluster']>): Draft[] {
  const stale = cluster.status.state !== 'connected' && cluster.status.state !== 'degraded' ? ' (last known)' : '';
  const trouble = cluster.workloads.filter((w) => w.severity === 'trouble');
  const out: Draft[] = trouble.slice(0, MAX_WORKLOAD_REASONS).map((w) => ({
    source: 'workloads',
    // Down or failing outright is critical; running with fewer replicas than wanted is a warning.
    severity: BROKEN.has(w.status) || (w.desired > 0 && w.ready === 0) ? 'critical' : 'warning',
    subject: w.key,
    message: `${w.namespace}/${w.name}: ${w.status}${w.reason ? ` — ${w.reason}` : ''}${stale}`,
    since: null,
  }));
  const rest = trouble.slice(MAX_WORKLOAD_REASONS);
  if (rest.length > 0) {
    const severity = rest.some((w) => BROKEN.has(w.status) || w.ready === 0) ? 'critical' : 'warning';
    out.push({ source: 'workloads', severity, subject: MORE, message: `and ${rest.length} more workloads in trouble (see the Workloads page)`, since: null });
  }
  return out;
}

function concerns(source: StatusSource, list: readonly StatusConcern[]): Draft[] {
  return list.map((c) => ({ source, severity: c.severity, subject: c.subject, message: c.message, since: c.since }));
}

function byTroubleFirst(a: StatusReason, b: StatusReason): number {
  const more = Number(a.subject === MORE) - Number(b.subject === MORE);
  const source = (SOURCE_ORDER.get(a.source) ?? 0) - (SOURCE_ORDER.get(b.source) ?? 0);
  return RANK[b.severity] - RANK[a.severity] || source || more || a.since - b.since || a.subject.localeCompare(b.subject);
}

/** The verdict now; `previous` (the last verdict published) carries each reason's `since` forward. */
export function combineStatus(inputs: StatusInputs, rules: StatusRules, previous: DeviceVerdict | null): DeviceVerdict {
  const drafts: Draft[] = [...concerns('outpost', inputs.outpost), ...nodeReasons(inputs, rules)];
  if (inputs.cluster) drafts.push(...clusterReasons(inputs.cluster, inputs, rules), ...workloadReasons(inputs.cluster));
  drafts.push(...concerns('upgrade', inputs.upgrade));

  const before = new Map((previous?.reasons ?? []).map((r) => [`${r.source}\n${r.subject}`, r.since]));
  const seen = new Set<string>();
  const reasons: StatusReason[] = [];
  for (const d of drafts) {
    const key = `${d.source}\n${d.subject}`;
    if (seen.has(key)) continue;
    seen.add(key);
    reasons.push({ ...d, since: d.since ?? before.get(key) ?? inputs.now });
  }
  reasons.sort(byTroubleFirst);
  if (reasons.length > MAX_STATUS_REASONS) reasons.length = MAX_STATUS_REASONS;

  const status = reasons.reduce<DeviceStatus>((worst, r) => (RANK[r.severity] > RANK[worst] ? r.severity : worst), 'ok');
  const since = previous && previous.status === status ? previous.since : inputs.now;
  return { status, reasons, since };
}

/** Whether two verdicts would look the same on a screen (publish only real changes). */
export function sameVerdict(a: DeviceVerdict, b: DeviceVerdict): boolean {
  if (a.status !== b.status || a.since !== b.since || a.reasons.length !== b.reasons.length) return false;
  return a.reasons.every((r, i) => {
    const o = b.reasons[i];
    return o !== undefined && r.source === o.source && r.subject === o.subject && r.severity === o.severity && r.message === o.message && r.since === o.since;
  });
}
