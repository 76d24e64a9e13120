// The `health` feed topic and the /api/v1/health bodies (docs/health.md). Rates are per second,
// sizes in bytes, temperatures in °C, times in Unix ms unless a name says otherwise.

export type HealthStatus = 'ok' | 'warning' | 'critical';

export interface HealthReason {
  severity: Exclude<HealthStatus, 'ok'>;
  /** Stable kind: filesystem, inodes, memory, swap, cpu, temperature, clock, cluster. */
  kind: string;
  /** What it is about: a mount point, a sensor, `memory`… */
  subject: string;
  /** Human text: "/var at 93 %". */
  message: string;
}

export interface Band {
  warning: number;
  critical: number;
}

/** The configured limits (config `health.thresholds`); percentages 0–100, temperatures °C. */
export interface HealthThresholds {
  filesystemPct: Band;
  inodesPct: Band;
  memoryPct: Band;
  swapPct: Band;
  /** Mean CPU busy over the last minute. */
  cpuPct: Band;
  /** Used for a sensor that reports no high/critical marks of its own. */
  temperatureC: Band;
  clockUnsynchronised: HealthStatus;
}

export interface HealthEvaluation {
  status: HealthStatus;
  reasons: HealthReason[];
}

export interface CpuSample {
  /** Busy share of all cores over the last interval, 0–100. */
  totalPct: number;
  perCorePct: number[];
  load: [number, number, number];
  /** Current frequency per core in MHz, when readable. */
  freqMhz: number[] | null;
}

export interface MemorySample {
  totalBytes: number;
  availableBytes: number;
  usedPct: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
}

export interface FilesystemSample {
  mount: string;
  device: string;
  fstype: string;
  sizeBytes: number;
  availBytes: number;
  usedBytes: number;
  usedPct: number;
  inodesTotal: number;
  inodesFree: number;
  readOnly: boolean;
}

export interface DiskSample {
  name: string;
  readBps: number;
  writeBps: number;
}

export interface InterfaceSample {
  name: string;
  /** operstate from /sys: up, down, unknown, dormant… */
  state: string;
  speedMbps: number | null;
  loopback: boolean;
  /** CIDR notation, IPv4 then IPv6. */
  addresses: string[];
  rxBps: number;
  txBps: number;
  rxErrors: number;
  txErrors: number;
  rxDropped: number;
  txDropped: number;
}

export interface SensorSample {
  /** Stable id: `hwmon:<chip>/<temp1>` or `thermal:<zone>`. */
  id: string;
  /** Human name: the label, else chip and input. */
  label: string;
  celsius: number;
  highC: number | null;
  criticalC: number | null;
}

export interface ClockSample {
  /** null when nothing says either way. */
  synchronised: boolean | null;
  /** Where `synchronised` came from. */
  source: string;
  timezone: string;
  /** Estimated offset from the reference, when a time daemon reports it. */
  offsetMs: number | null;
}

export interface IdentitySample {
  hostname: string;
  os: string;
  kernel: string;
  arch: string;
  model: string | null;
  serial: string | null;
}

export interface HealthSample {
  /** Unix ms when the fast tier sampled. */
  time: number;
  uptimeS: number;
  /** Unix ms. */
  bootTime: number;
  cpu: CpuSample;
  memory: MemorySample;
  disks: DiskSample[];
  interfaces: InterfaceSample[];
  /** Medium tier (~10 s). */
  filesystems: FilesystemSample[];
  sensors: SensorSample[];
  clock: ClockSample;
  /** Slow tier; null until the first slow sample. */
  identity: IdentitySample | null;
}

/** Key series names in history and `recent`. */
export const HEALTH_SERIES = ['cpu', 'memory', 'load1', 'netRx', 'netTx', 'diskRead', 'diskWrite', 'tempMax'] as const;
export type HealthSeriesName = (typeof HEALTH_SERIES)[number];

/** A short window of the key series at 1 s, carried in the topic state (oldest first). */
export interface RecentHistory {
  time: number[];
  series: Record<HealthSeriesName, (number | null)[]>;
}

export const RECENT_POINTS = 120;

export interface HealthState {
  sample: HealthSample | null;
  evaluation: HealthEvaluation;
  /** Status changes since the daemon started. */
  transitions: number;
  /** Unix ms until which the kiosk flashes ("identify this device"), or null. */
  identifyUntil: number | null;
  /** null when no cluster capability feeds the evaluator. */
  cluster: { nodeReady: boolean; reason: string | null } | null;
  /** The limits the evaluation uses, so gauges colour the same way. */
  thresholds: HealthThresholds | null;
  recent: RecentHistory;
}

/** Fast tier every second; medium/slow parts only when they changed. */
export interface HealthSampleV1 {
  kind: 'health.sample.v1';
  time: number;
  uptimeS: number;
  bootTime: number;
  cpu: CpuSample;
  memory: MemorySample;
  disks: DiskSample[];
  interfaces: InterfaceSample[];
  filesystems?: FilesystemSample[];
  sensors?: SensorSample[];
  clock?: ClockSample;
  identity?: IdentitySample;
  /** The key series values at `time` (appended to `recent`). */
  point: Record<HealthSeriesName, number | null>;
}

export interface HealthStatusV1 {
  kind: 'health.status.v1';
  time: number;
  from: HealthStatus;
  evaluation: HealthEvaluation;
  transitions: number;
}

/** The reasons changed but the status did not. */
export interface HealthReasonsV1 {
  kind: 'health.reasons.v1';
  evaluation: HealthEvaluation;
}

export interface HealthIdentifyV1 {
  kind: 'health.identify.v1';
  until: number | null;
}

export interface HealthClusterV1 {
  kind: 'health.cluster.v1';
  cluster: { nodeReady: boolean; reason: string | null } | null;
}

export type HealthEvent = HealthSampleV1 | HealthStatusV1 | HealthReasonsV1 | HealthIdentifyV1 | HealthClusterV1;

export function emptyRecent(): RecentHistory {
  const series = {} as Record<HealthSeriesName, (number | null)[]>;
  for (const name of HEALTH_SERIES) series[name] = [];
  return { time: [], series };
}

export function initialHealthState(thresholds: HealthThresholds | null = null): HealthState {
  return { sample: null, evaluation: { status: 'ok', reasons: [] }, transitions: 0, identifyUntil: null, cluster: null, thresholds, recent: emptyRecent() };
}

function appendRecent(recent: RecentHistory, time: number, point: Record<HealthSeriesName, number | null>): RecentHistory {
  const drop = recent.time.length >= RECENT_POINTS ? recent.time.length - RECENT_POINTS + 1 : 0;
  const series = {} as Record<HealthSeriesName, (number | null)[]>;
  for (const name of HEALTH_SERIES) {
    const values = (recent.series[name] ?? []).slice(drop);
    values.push(point[name] ?? null);
    series[name] = values;
  }
  const times = recent.time.slice(drop);
  times.push(time);
  return { time: times, series };
}

export function reduceHealth(state: HealthState, event: HealthEvent): HealthState {
  switch (event.kind) {
    case 'health.sample.v1': {
      const prev = state.sample;
      const sample: HealthSample = {
        time: event.time,
        uptimeS: event.uptimeS,
        bootTime: event.bootTime,
        cpu: event.cpu,
        memory: event.memory,
        disks: event.disks,
        interfaces: event.interfaces,
        filesystems: event.filesystems ?? prev?.filesystems ?? [],
        sensors: event.sensors ?? prev?.sensors ?? [],
        clock: event.clock ?? prev?.clock ?? { synchronised: null, source: 'unknown', timezone: 'UTC', offsetMs: null },
        identity: event.identity ?? prev?.identity ?? null,
      };
      return { ...state, sample, recent: appendRecent(state.recent, event.time, event.point) };
    }
    case 'health.status.v1':
      return { ...state, evaluation: event.evaluation, transitions: event.transitions };
    case 'health.reasons.v1':
      return { ...state, evaluation: event.evaluation };
    case 'health.identify.v1':
      return { ...state, identifyUntil: event.until };
    case 'health.cluster.v1':
      return { ...state, cluster: event.cluster };
  }
}

export type HistoryRange = '1h' | '24h';

/** GET /api/v1/health/history?range=1h|24h[&points=N][&series=a,b] */
export interface HealthHistory {
  range: HistoryRange;
  /** Seconds between points after downsampling. */
  stepS: number;
  /** Unix seconds, oldest first. */
  time: number[];
  series: Partial<Record<HealthSeriesName, (number | null)[]>>;
}

/** GET /api/v1/health */
export interface HealthSnapshot extends Omit<HealthState, 'recent'> {
  history: HistoryMemory;
  tiers: { fastMs: number; mediumMs: number; slowMs: number };
}

export interface HistoryMemory {
  series: number;
  pointsPerSeries: { fine: number; coarse: number };
  /** Bytes preallocated for every ring buffer. */
  bytes: number;
}

/** POST /api/v1/identify body (optional) and answer. */
export interface IdentifyRequest {
  seconds?: number;
}
export interface IdentifyResponse {
  until: number;
}
