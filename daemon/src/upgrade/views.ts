// Rows → wire shapes (pure over the store's reads): offered bundles, releases with their kept
// versions and last outcome, the `upgrade` topic's snapshot.
import type { BundleOffer, OutcomeSummary, ReleaseInfo, UpgradeRecord, UpgradeState, WorkloadRollout } from '../protocol/upgrade.ts';
import { MAX_RECENT_UPGRADES } from '../protocol/upgrade.ts';
import type { BundleRow, ReleaseRow, UpgradeStore } from './journal.ts';
import { gateWorkloads } from './planner.ts';
import { recordOf } from './records.ts';

function outcomeOf(store: UpgradeStore, upgradeId: string | null): OutcomeSummary | null {
  const row = upgradeId ? store.upgrade(upgradeId) : null;
  if (!row?.outcome) return null;
  return { upgradeId: row.id, outcome: row.outcome, code: row.code, message: row.message, at: row.finishedAt ?? row.updatedAt };
}

export function bundleOfferOf(store: UpgradeStore, b: BundleRow): BundleOffer {
  return {
    id: b.id,
    source: b.source,
    name: b.name,
    version: b.version,
    sequence: b.sequence,
    signers: b.signers,
    blocking: b.blocking,
    offeredAt: b.offeredAt,
    offeredBy: b.offeredBy,
    bytes: b.bytes,
    created: b.manifest.created,
    expires: b.manifest.expires,
    installedVersion: store.release(b.name)?.version ?? null,
    hasNotes: b.manifest.files.some((f) => f.role === 'doc'),
    lastOutcome: outcomeOf(store, b.lastUpgradeId),
  };
}

export function releaseInfoOf(store: UpgradeStore, r: ReleaseRow): ReleaseInfo {
  return {
    name: r.name,
    version: r.version,
    sequence: r.version === null ? null : r.sequence,
    bundleId: r.bundleId,
    installedAt: r.installedAt,
    installedBy: r.installedBy,
    status: r.status,
    message: r.message,
    since: r.since,
    lastOutcome: outcomeOf(store, r.lastUpgradeId),
    keptVersions: store.bundles('kept', r.name).map((b) => ({ bundleId: b.id, version: b.version, sequence: b.sequence, installedAt: b.committedAt ?? b.offeredAt })),
    workloads: gateWorkloads(r.inventory.objects),
    objects: r.inventory.objects.length,
    images: r.inventory.images,
  };
}

export function upgradeStateOf(store: UpgradeStore, workloads: WorkloadRollout[]): UpgradeState {
  const running = store.running();
  const recent: UpgradeRecord[] = store
    .history(MAX_RECENT_UPGRADES + 1)
    .filter((u) => u.outcome !== null)
    .slice(0, MAX_RECENT_UPGRADES)
    .map((u) => recordOf(u));
  return {
    current: running ? recordOf(running, workloads) : null,
    releases: store.releases().map((r) => releaseInfoOf(store, r)),
    bundles: store.bundles('offered').map((b) => bundleOfferOf(store, b)),
    recent,
  };
}
