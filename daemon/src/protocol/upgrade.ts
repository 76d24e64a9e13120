// Upgrades on the wire (docs/upgrades.md): offered bundles, plans, releases, upgrade records, and the
// `upgrade` feed topic with its reducer. Pure; shared by the daemon, the agent socket and the UI.

export type BundleSource = 'cli' | 'upload' | 'usb';
export type UpgradeKind = 'install' | 'upgrade' | 'rollback';
export type UpgradeOutcome = 'committed' | 'rolled_back' | 'refused' | 'failed';
export const UPGRADE_PHASES = ['preflight', 'importing', 'applying', 'gating', 'committing', 'pruning', 'cleanup', 'rolling_back', 'rollback_gating', 'rollback_cleanup', 'done'] as const;
export type UpgradePhase = (typeof UPGRADE_PHASES)[number];
export type ReleaseStatus = 'installed' | 'upgrading' | 'rolling_back' | 'failed' | 'absent';

/** One finding of preflight; `blocking` ones refuse the apply. */
export interface PlanProblem {
  code: string;
  message: string;
  /** `Kind namespace/name` of the object concerned, when there is one. */
  object: string | null;
  blocking: boolean;
}

export interface FieldChange {
  /** e.g. `containers[web].image`, `spec.replicas`, `env[web].LOG_LEVEL`, `data.config.yaml` */
  field: string;
  /** Short text of the old and new values; absent when not shown (secrets, large values) or when added/removed. */
  from?: string;
  to?: string;
  change: 'added' | 'removed' | 'changed';
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface PlannedObject extends ObjectRef {
  /** Stable identity across versions: `group/Kind/namespace/name`. */
  key: string;
  change: 'added' | 'changed' | 'unchanged' | 'removed';
  fields: FieldChange[];
  /** Whether the object exists in the cluster now. */
  exists: boolean;
  /** Field managers other than `outpost` whose fields this apply takes over. */
  conflicts: { manager: string; fields: string[] }[];
}

export interface PlannedImage {
  /** Payload path in the bundle. */
  file: string;
  references: string[];
  size: number;
  platform: string;
  /** containerd lists every reference already. */
  present: boolean;
  /** Already imported from this very archive (skipped at import). */
  imported: boolean;
  digest: string | null;
}

export interface PlanCheck {
  ok: boolean;
  required: string;
  actual: string | null;
}

export interface UpgradePlan {
  bundleId: string;
  release: string;
  kind: UpgradeKind;
  from: { version: string; sequence: number } | null;
  to: { version: string; sequence: number };
  signers: string[];
  computedAt: number;
  sequence: { installed: number; offered: number; floor: number; ok: boolean };
  expiry: { expires: string; ok: boolean };
  architecture: PlanCheck;
  kubernetes: PlanCheck;
  outpost: PlanCheck;
  images: PlannedImage[];
  objects: PlannedObject[];
  disk: { path: string; neededBytes: number; freeBytes: number | null; totalBytes: number | null; reserveBytes: number | null; ok: boolean };
  gate: { stabilitySeconds: number; timeoutSeconds: number; workloads: string[] };
  /** Blocking first. */
  problems: PlanProblem[];
  blocking: number;
  /** Release notes (NOTES.md), raw Markdown, or null. */
  notes: string | null;
  /** Steps the upgrade will take: imports + applies + prunes + gate + commit. */
  steps: number;
}

export interface OutcomeSummary {
  upgradeId: string;
  outcome: UpgradeOutcome;
  code: string | null;
  message: string;
  at: number;
}

export interface BundleOffer {
  id: string;
  source: BundleSource;
  name: string;
  version: string;
  sequence: number;
  signers: string[];
  /** Blocking problems of the latest plan. */
  blocking: PlanProblem[];
  offeredAt: number;
  offeredBy: string;
  bytes: number;
  created: string;
  expires: string;
  installedVersion: string | null;
  hasNotes: boolean;
  lastOutcome: OutcomeSummary | null;
}

export interface KeptVersion {
  bundleId: string;
  version: string;
  sequence: number;
  installedAt: number;
}

export interface ReleaseInfo {
  name: string;
  version: string | null;
  sequence: number | null;
  bundleId: string | null;
  installedAt: number | null;
  installedBy: string | null;
  status: ReleaseStatus;
  /** Why, when failed. */
  message: string | null;
  /** Unix ms since the status holds. */
  since: number;
  lastOutcome: OutcomeSummary | null;
  keptVersions: KeptVersion[];
  /** Workload keys (`namespace/kind/name`, as on the cluster topic) of the committed version. */
  workloads: string[];
  objects: number;
  images: string[];
}

export interface WorkloadRollout {
  key: string;
  state: 'settled' | 'settling' | 'failing';
  message: string;
  ready: number;
  desired: number;
  /** Device time (unix ms) at which a settling workload counts as settled if nothing restarts: the stability countdown. */
  settlesAt?: number | null;
}

export interface FailureReason {
  object: string;
  pod: string | null;
  container: string | null;
  reason: string;
  message: string;
  exitCode: number | null;
  /** The last log lines of the failing container (its crashed instance when it restarted). */
  logs: string[];
  /** Recent events of the pod, `Reason: message`. */
  events: string[];
}

export interface UpgradeRecord {
  id: string;
  kind: UpgradeKind;
  release: string;
  bundleId: string;
  fromVersion: string | null;
  toVersion: string;
  actor: string;
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
  phase: UpgradePhase;
  /** `imports`: how many of the `of` steps are image imports (they come first), for a percent by bytes. */
  step: { n: number; of: number; label: string; imports?: number };
  bytes: { done: number; total: number };
  message: string;
  workloads: WorkloadRollout[];
  resumes: number;
  outcome: UpgradeOutcome | null;
  code: string | null;
  reasons: FailureReason[];
}

export interface UpgradeState {
  current: UpgradeRecord | null;
  releases: ReleaseInfo[];
  bundles: BundleOffer[];
  /** The last finished upgrades, newest first. */
  recent: UpgradeRecord[];
}

export type UpgradeEvent =
  | { kind: 'upgrade.state.v1'; state: UpgradeState }
  | { kind: 'upgrade.record.v1'; upgrade: UpgradeRecord }
  | { kind: 'upgrade.progress.v1'; id: string; phase: UpgradePhase; step: UpgradeRecord['step']; bytes: UpgradeRecord['bytes']; message: string; at: number }
  | { kind: 'upgrade.workloads.v1'; id: string; workloads: WorkloadRollout[] }
  | { kind: 'upgrade.releases.v1'; releases: ReleaseInfo[] }
  | { kind: 'upgrade.bundles.v1'; bundles: BundleOffer[] };

export const MAX_RECENT_UPGRADES = 10;
export const MAX_FAILURE_REASONS = 10;
export const MAX_REASON_LOG_LINES = 20;

export function initialUpgradeState(): UpgradeState {
  return { current: null, releases: [], bundles: [], recent: [] };
}

export function reduceUpgrade(state: UpgradeState, event: UpgradeEvent): UpgradeState {
  switch (event.kind) {
    case 'upgrade.state.v1':
      return event.state;
    case 'upgrade.record.v1': {
      const u = event.upgrade;
      if (u.outcome === null) return { ...state, current: u };
      const recent = [u, ...state.recent.filter((r) => r.id !== u.id)].slice(0, MAX_RECENT_UPGRADES);
      return { ...state, current: state.current?.id === u.id ? null : state.current, recent };
    }
    case 'upgrade.progress.v1': {
      const c = state.current;
      if (!c || c.id !== event.id) return state;
      return { ...state, current: { ...c, phase: event.phase, step: event.step, bytes: event.bytes, message: event.message, updatedAt: event.at } };
    }
    case 'upgrade.workloads.v1': {
      const c = state.current;
      if (!c || c.id !== event.id) return state;
      return { ...state, current: { ...c, workloads: event.workloads } };
    }
    case 'upgrade.releases.v1':
      return { ...state, releases: event.releases };
    case 'upgrade.bundles.v1':
      return { ...state, bundles: event.bundles };
  }
}

export type ReleaseHealthState = 'ok' | 'progressing' | 'trouble' | 'unknown';

/** A release as `GET /api/v1/releases` answers: with the health of its workloads from the cluster view. */
export interface ReleaseWithHealth extends ReleaseInfo {
  health: { state: ReleaseHealthState; trouble: string[]; missing: string[] };
}

/** What `outpost upgrade apply --json` prints. */
export interface ApplyResult {
  outcome: UpgradeOutcome;
  code: string | null;
  message: string;
  release: string;
  version: string;
}
