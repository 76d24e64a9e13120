// How a running upgrade and a finished one read (pure): the phase in words, one percent that only
// moves forward (images by bytes, objects by step, the gate by settled workloads), the stages for a
// stepper, the stability countdown, and the outcome's words and tone — "rolled back" is a warning,
// never a success.
import type { UpgradeOutcome, UpgradePhase, UpgradeRecord, WorkloadRollout } from '@protocol';

export const PHASE_WORDS: Record<UpgradePhase, string> = {
  preflight: 'Checking the plan',
  importing: 'Importing images',
  applying: 'Applying objects',
  gating: 'Health gate',
  committing: 'Committing',
  pruning: 'Removing what the old version had',
  cleanup: 'Cleaning up',
  rolling_back: 'Rolling back',
  rollback_gating: 'Checking the restored version',
  rollback_cleanup: 'Cleaning up after the rollback',
  done: 'Done',
};

const ROLLBACK_PHASES: readonly UpgradePhase[] = ['rolling_back', 'rollback_gating', 'rollback_cleanup'];

export function isRollingBack(phase: UpgradePhase): boolean {
  return ROLLBACK_PHASES.includes(phase);
}

const settledShare = (workloads: readonly WorkloadRollout[]) => (workloads.length === 0 ? 0 : workloads.filter((w) => w.state === 'settled').length / workloads.length);

/**
 * 0–100 for the whole upgrade: steps done over all steps, with the image imports weighed by bytes
 * and the gate by its settled workloads. A rollback counts its own steps (it has its own stages).
 */
export function upgradePercent(u: Pick<UpgradeRecord, 'phase' | 'step' | 'bytes' | 'workloads' | 'outcome'>): number {
  if (u.outcome !== null) return 100;
  const { n, of } = u.step;
  const clamp = (x: number) => Math.max(0, Math.min(99, Math.floor(x * 100)));
  if (of <= 0) return 0;
  switch (u.phase) {
    case 'preflight':
      return 0;
    case 'importing': {
      const imports = u.step.imports ?? 0;
      if (imports > 0 && u.bytes.total > 0) return clamp((imports * Math.min(1, u.bytes.done / u.bytes.total)) / of);
      return clamp((n - 1) / of);
    }
    case 'gating':
      return clamp((n - 1 + settledShare(u.workloads)) / of);
    case 'cleanup':
    case 'rollback_cleanup':
    case 'done':
      return 99;
    case 'rolling_back':
      return clamp((0.9 * (n - 1)) / of);
    case 'rollback_gating':
      return clamp(0.9 + 0.09 * settledShare(u.workloads));
    default:
      return clamp((n - 1) / of);
  }
}

export type StageState = 'done' | 'now' | 'next';
export interface Stage {
  name: string;
  state: StageState;
}

const FORWARD: { name: string; phases: UpgradePhase[] }[] = [
  { name: 'Check', phases: ['preflight'] },
  { name: 'Import', phases: ['importing'] },
  { name: 'Apply', phases: ['applying'] },
  { name: 'Health gate', phases: ['gating'] },
  { name: 'Commit', phases: ['committing'] },
  { name: 'Clean up', phases: ['pruning', 'cleanup', 'done'] },
];
const BACKWARD: { name: string; phases: UpgradePhase[] }[] = [
  { name: 'Restore', phases: ['rolling_back'] },
  { name: 'Health gate', phases: ['rollback_gating'] },
  { name: 'Clean up', phases: ['rollback_cleanup', 'done'] },
];

/** The stages for a stepper: the forward ones, or a rollback's own once it rolls back. */
export function stagesOf(phase: UpgradePhase): Stage[] {
  const list = isRollingBack(phase) ? BACKWARD : FORWARD;
  const at = list.findIndex((s) => s.phases.includes(phase));
  return list.map((s, i) => ({ name: s.name, state: i < at ? 'done' : i === at ? 'now' : 'next' }));
}

/** Seconds until a settling workload counts as settled (device clock), or null when not counting down. */
export function secondsToSettle(w: WorkloadRollout, deviceNow: number): number | null {
  if (w.state !== 'settling' || w.settlesAt === undefined || w.settlesAt === null) return null;
  return Math.max(0, Math.ceil((w.settlesAt - deviceNow) / 1000));
}

export type Tone = 'ok' | 'warn' | 'crit' | 'neutral';

export interface OutcomeView {
  word: string;
  tone: Tone;
  /** One sentence on where the release stands now. */
  headline: string;
}

/** The outcome in words. A rollback says the new version is NOT installed, in the warning tone. */
export function outcomeView(u: Pick<UpgradeRecord, 'outcome' | 'kind' | 'release' | 'fromVersion' | 'toVersion'>): OutcomeView {
  const from = u.fromVersion;
  switch (u.outcome as UpgradeOutcome) {
    case 'committed':
      return {
        word: u.kind === 'rollback' ? 'Rollback committed' : 'Committed',
        tone: 'ok',
        headline: `${u.release} ${u.toVersion} is installed and passed the health gate${from ? ` (was ${from})` : ''}.`,
      };
    case 'rolled_back':
      return {
        word: 'Rolled back',
        tone: 'warn',
        headline: `${u.toVersion} was NOT installed: ${from ? `${u.release} runs ${from} again` : `nothing of ${u.release} stays installed`}.`,
      };
    case 'refused':
      return { word: 'Refused', tone: 'neutral', headline: `Nothing was changed: ${u.release} ${from ? `stays on ${from}` : 'stays uninstalled'}.` };
    case 'failed':
      return { word: 'Failed', tone: 'crit', headline: `${u.release} is marked failed${from ? ` on ${from}` : ''}: it needs attention.` };
  }
  return { word: 'Running', tone: 'neutral', headline: '' };
}

/** What a running upgrade does, as the verb of its title. */
export function kindVerb(u: Pick<UpgradeRecord, 'kind' | 'fromVersion' | 'phase'>): string {
  if (isRollingBack(u.phase)) return 'Rolling back';
  if (u.kind === 'rollback') return 'Rolling back on request';
  return u.kind === 'install' || u.fromVersion === null ? 'Installing' : 'Upgrading';
}

const COUNTED: readonly UpgradePhase[] = ['importing', 'applying', 'gating', 'committing', 'pruning', 'rolling_back'];
const LABELS: Record<string, string> = {
  preflight: 'checking the plan',
  gate: 'waiting for every workload to settle healthy',
  commit: 'recording the new version',
  cleanup: 'removing what no kept version needs',
  'rollback-gate': 'waiting for the restored version to settle healthy',
  'rollback-cleanup': 'removing what only the failed version needed',
  finished: 'finishing',
};

/** "step 3 of 7: apply Deployment ns/web", or only the words when the engine does not count the phase's steps. */
export function stepLine(u: Pick<UpgradeRecord, 'phase' | 'step'>): string {
  const label = LABELS[u.step.label] ?? u.step.label;
  return COUNTED.includes(u.phase) && u.step.of > 0 ? `step ${u.step.n} of ${u.step.of}: ${label}` : label;
}
