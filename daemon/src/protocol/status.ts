// The device verdict (docs/status.md): one answer to "is this box all right?" from every source —
// node health, the cluster connection, workloads in trouble, upgrades and Outpost's own faults.
// `GET /api/v1/status` answers a `DeviceVerdict`; the `status` feed topic carries it as its state.
// Pure; shared with the UI.

export type DeviceStatus = 'ok' | 'warning' | 'critical';

export const STATUS_SOURCES = ['outpost', 'node', 'cluster', 'workloads', 'upgrade'] as const;
export type StatusSource = (typeof STATUS_SOURCES)[number];

export interface StatusReason {
  source: StatusSource;
  severity: Exclude<DeviceStatus, 'ok'>;
  /** Stable within its source (a mount point, a workload key, `api`…): keeps `since` across updates. */
  subject: string;
  /** One sentence for a person: "ingest/opcua-bridge: CrashLoopBackOff — bridge: last exit code 1 (Error)". */
  message: string;
  /** Unix ms since when this reason holds (as far as this daemon saw). */
  since: number;
}

export interface DeviceVerdict {
  status: DeviceStatus;
  /** Critical first, then warning; within a severity by source (outpost, node, cluster, workloads, upgrade). */
  reasons: StatusReason[];
  /** Unix ms since when `status` holds. */
  since: number;
}

/** The `status` topic's state is the verdict itself. */
export type StatusState = DeviceVerdict;

export interface StatusVerdictV1 {
  kind: 'status.verdict.v1';
  verdict: DeviceVerdict;
}

export type StatusEvent = StatusVerdictV1;

/** At most this many reasons cross the wire; the rest are summed up in one last reason. */
export const MAX_STATUS_REASONS = 30;

export function initialStatusState(now: number): StatusState {
  return { status: 'ok', reasons: [], since: now };
}

export function reduceStatus(_state: StatusState, event: StatusEvent): StatusState {
  switch (event.kind) {
    case 'status.verdict.v1':
      return event.verdict;
  }
}

