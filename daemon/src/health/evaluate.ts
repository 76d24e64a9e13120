// Pure: the health verdict (ok / warning / critical) with human reasons, from one sample, the
// thresholds, and optional inputs from elsewhere (the cluster capability's node condition).
import type { Band, HealthEvaluation, HealthReason, HealthSample, HealthStatus, HealthThresholds } from '../protocol/health.ts';

export type { Band, HealthThresholds } from '../protocol/health.ts';

export const DEFAULT_THRESHOLDS: HealthThresholds = {
  filesystemPct: { warning: 85, critical: 95 },
  inodesPct: { warning: 85, critical: 95 },
  memoryPct: { warning: 90, critical: 97 },
  swapPct: { warning: 80, critical: 95 },
  cpuPct: { warning: 90, critical: 98 },
  temperatureC: { warning: 80, critical: 95 },
  clockUnsynchronised: 'warning',
};

export interface EvaluationInputs {
  sample: HealthSample;
  thresholds: HealthThresholds;
  /** Mean CPU busy over the last minute; null while too little history exists. */
  cpuMeanPct?: number | null;
  /** From the cluster capability; absent or null means there is no cluster. */
  cluster?: { nodeReady: boolean; reason: string | null } | null;
}

const RANK: Record<HealthStatus, number> = { ok: 0, warning: 1, critical: 2 };

function level(value: number, band: Band): HealthStatus {
  if (value >= band.critical) return 'critical';
  if (value >= band.warning) return 'warning';
  return 'ok';
}

const pct = (v: number) => `${Math.round(v)} %`;
const deg = (v: number) => `${Math.round(v)} °C`;

export function evaluateHealth(inputs: EvaluationInputs): HealthEvaluation {
  const { sample, thresholds: t } = inputs;
  const reasons: HealthReason[] = [];
  const add = (severity: HealthStatus, kind: string, subject: string, message: string) => {
    if (severity !== 'ok') reasons.push({ severity, kind, subject, message });
  };

  if (inputs.cluster && !inputs.cluster.nodeReady) {
    add('critical', 'cluster', 'node', inputs.cluster.reason ? `node NotReady: ${inputs.cluster.reason}` : 'node NotReady');
  }
  for (const fs of sample.filesystems) {
    if (fs.sizeBytes <= 0) continue;
    add(level(fs.usedPct, t.filesystemPct), 'filesystem', fs.mount, `${fs.mount} at ${pct(fs.usedPct)}`);
    if (fs.inodesTotal > 0) {
      const used = ((fs.inodesTotal - fs.inodesFree) / fs.inodesTotal) * 100;
      add(level(used, t.inodesPct), 'inodes', fs.mount, `${fs.mount} inodes at ${pct(used)}`);
    }
  }
  if (sample.memory.totalBytes > 0) add(level(sample.memory.usedPct, t.memoryPct), 'memory', 'memory', `memory ${pct(sample.memory.usedPct)}`);
  if (sample.memory.swapTotalBytes > 0) {
    const used = ((sample.memory.swapTotalBytes - sample.memory.swapFreeBytes) / sample.memory.swapTotalBytes) * 100;
    add(level(used, t.swapPct), 'swap', 'swap', `swap ${pct(used)}`);
  }
  if (inputs.cpuMeanPct !== undefined && inputs.cpuMeanPct !== null) {
    add(level(inputs.cpuMeanPct, t.cpuPct), 'cpu', 'cpu', `cpu ${pct(inputs.cpuMeanPct)} over the last minute`);
  }
  for (const s of sample.sensors) {
    const critical = s.criticalC ?? t.temperatureC.critical;
    // A chip's own high mark warns; without one, the configured warning applies.
    const high = s.highC !== null && s.highC < critical ? s.highC : Math.min(t.temperatureC.warning, critical);
    if (s.celsius >= critical) add('critical', 'temperature', s.id, `${s.label} at ${deg(s.celsius)} (critical ${deg(critical)})`);
    else if (s.celsius >= high) add('warning', 'temperature', s.id, `${s.label} at ${deg(s.celsius)} (high ${deg(high)}, critical ${deg(critical)})`);
  }
  if (sample.clock.synchronised === false) add(t.clockUnsynchronised, 'clock', 'clock', 'clock not synchronised');

  reasons.sort((a, b) => RANK[b.severity] - RANK[a.severity]);
  const status = reasons.reduce<HealthStatus>((worst, r) => (RANK[r.severity] > RANK[worst] ? r.severity : worst), 'ok');
  return { status, reasons };
}

/** Whether two evaluations say the same thing (same status and the same reason texts). */
export function sameEvaluation(a: HealthEvaluation, b: HealthEvaluation): boolean {
  if (a.status !== b.status || a.reasons.length !== b.reasons.length) return false;
  return a.reasons.every((r, i) => r.message === b.reasons[i]?.message && r.severity === b.reasons[i]?.severity);
}
