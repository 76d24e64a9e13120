// What the kiosk says about upgrades (pure): the running one in a few large words (what, from → to,
// the stage and one percent), or how the last one ended for a while after, so someone who walks up
// to the box after a USB-stick upgrade still reads the result.
import type { UpgradeRecord, UpgradeState } from '@protocol';
import { isRollingBack, kindVerb, outcomeView, stepLine, upgradePercent, type Tone } from './progress.ts';

/** How long the kiosk keeps showing an outcome after the upgrade ended (device clock). */
export const KIOSK_OUTCOME_MS = 30 * 60_000;

const KIOSK_PHASE: Record<UpgradeRecord['phase'], string> = {
  preflight: 'Checking',
  importing: 'Importing images',
  applying: 'Applying',
  gating: 'Health check',
  committing: 'Committing',
  pruning: 'Cleaning up',
  cleanup: 'Cleaning up',
  rolling_back: 'Rolling back',
  rollback_gating: 'Checking the old version',
  rollback_cleanup: 'Cleaning up',
  done: 'Finishing',
};

export type KioskUpgradeView =
  | { kind: 'running'; title: string; versions: string; phase: string; percent: number; step: string; by: string; tone: Tone }
  | { kind: 'outcome'; title: string; versions: string; word: string; headline: string; why: string | null; tone: Tone; outcome: string };

export function kioskUpgradeView(state: UpgradeState | null, deviceNow: number | null): KioskUpgradeView | null {
  if (!state) return null;
  const u = state.current;
  if (u) {
    const back = isRollingBack(u.phase);
    return {
      kind: 'running',
      title: `${kindVerb(u)} ${u.release}`,
      versions: `${u.fromVersion ?? 'nothing'} → ${u.toVersion}`,
      phase: KIOSK_PHASE[u.phase],
      percent: upgradePercent(u),
      step: stepLine(u),
      by: u.actor,
      tone: back ? 'warn' : 'neutral',
    };
  }
  const last = state.recent[0];
  if (!last || last.finishedAt === null || deviceNow === null || deviceNow - last.finishedAt > KIOSK_OUTCOME_MS) return null;
  const view = outcomeView(last);
  // Shorter than the page's headline: it must fit one line across the room.
  const from = last.fromVersion;
  const HEADLINE = {
    committed: `${last.toVersion} is installed and healthy.`,
    rolled_back: `${last.toVersion} was NOT installed; ${from ? `${from} runs again` : 'nothing stays installed'}.`,
    refused: 'Nothing was changed.',
    failed: `Needs attention: marked failed${from ? ` on ${from}` : ''}.`,
  } as const;
  const first = last.reasons[0];
  const why = first ? `${first.object}: ${first.reason}${first.exitCode !== null ? ` (exit code ${first.exitCode})` : ''}` : last.outcome === 'committed' ? null : last.message || null;
  return {
    kind: 'outcome',
    title: `${view.word}: ${last.release}`,
    versions: `${last.fromVersion ?? 'nothing'} → ${last.toVersion}`,
    word: view.word,
    headline: last.outcome ? HEADLINE[last.outcome] : view.headline,
    why,
    tone: view.tone,
    outcome: last.outcome ?? 'running',
  };
}
