// What the upgrade engine adds to the device verdict (pure): a release marked failed is critical (it
// runs its old version, which did not come back healthy, or crashed the engine three times); a
// release rolling back is a warning while it lasts; an upgrade rolled back in the last day is a
// warning (the box is on its old version, healthy, but what was brought in did not take).
import type { UpgradeState } from '../protocol/upgrade.ts';
import type { StatusConcern } from './combine.ts';

/** How long a rolled-back upgrade stays on the verdict (unless a later upgrade of the release commits). */
export const ROLLED_BACK_MEMORY_MS = 24 * 3_600_000;

export function upgradeConcerns(state: UpgradeState, now: number): StatusConcern[] {
  const out: StatusConcern[] = [];
  for (const r of state.releases) {
    const subject = `release/${r.name}`;
    const on = r.version ? ` (running ${r.version})` : '';
    if (r.status === 'failed') {
      out.push({ severity: 'critical', subject, message: `release ${r.name} failed${on}: ${r.message ?? r.lastOutcome?.message ?? 'see the upgrade history'}`, since: r.since });
      continue;
    }
    if (r.status === 'rolling_back') {
      out.push({ severity: 'warning', subject, message: `release ${r.name} is rolling back${on}`, since: r.since });
      continue;
    }
    const last = r.lastOutcome;
    if (last?.outcome === 'rolled_back' && now - last.at < ROLLED_BACK_MEMORY_MS) {
      out.push({ severity: 'warning', subject, message: `the upgrade of ${r.name} was rolled back${on}: ${last.message}`, since: last.at });
    }
  }
  return out;
}
