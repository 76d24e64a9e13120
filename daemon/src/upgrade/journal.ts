// Adapter: the upgrade state in SQLite (migration 5) — offered and kept bundles, releases and their
// committed pointer, the upgrades (history and journal in one row) and adopted objects' snapshots.
// The engine opens its own connection with `synchronous = FULL`, so a journal write that returned
// survives a power cut. Every multi-row change is one transaction.
import type { BundleManifest } from '../bundles/index.ts';
import type { BundleSource, FailureReason, PlanProblem, ReleaseStatus, UpgradeKind, UpgradeOutcome, UpgradePhase } from '../protocol/upgrade.ts';
import { transaction, type Database } from '../store/index.ts';
import type { Journal } from './journal-pure.ts';
import type { Inventory } from './planner.ts';

export interface BundleRow {
  id: string;
  name: string;
  version: string;
  sequence: number;
  source: BundleSource;
  state: 'offered' | 'kept';
  manifest: BundleManifest;
  signers: string[];
  bytes: number;
  offeredAt: number;
  offeredBy: string;
  blocking: PlanProblem[];
  committedAt: number | null;
  lastUpgradeId: string | null;
}

export interface ReleaseRow {
  name: string;
  bundleId: string | null;
  version: string | null;
  sequence: number;
  floor: number;
  inventory: Inventory;
  installedAt: number | null;
  installedBy: string | null;
  status: ReleaseStatus;
  message: string | null;
  since: number;
  lastUpgradeId: string | null;
}

export interface UpgradeRow {
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
  outcome: UpgradeOutcome | null;
  code: string | null;
  message: string;
  resumes: number;
  journal: Journal;
  reasons: FailureReason[];
}

type Row = Record<string, unknown>;
const EMPTY_INVENTORY: Inventory = { objects: [], images: [] };

const bundleOf = (r: Row): BundleRow => ({
  id: String(r.id), name: String(r.name), version: String(r.version), sequence: Number(r.sequence), source: r.source as BundleSource, state: r.state as BundleRow['state'],
  manifest: JSON.parse(String(r.manifest)) as BundleManifest, signers: JSON.parse(String(r.signers)) as string[], bytes: Number(r.bytes), offeredAt: Number(r.offered_at),
  offeredBy: String(r.offered_by), blocking: JSON.parse(String(r.blocking)) as PlanProblem[], committedAt: r.committed_at === null ? null : Number(r.committed_at), lastUpgradeId: (r.last_upgrade_id as string | null) ?? null,
});

const releaseOf = (r: Row): ReleaseRow => ({
  name: String(r.name), bundleId: (r.bundle_id as string | null) ?? null, version: (r.version as string | null) ?? null, sequence: Number(r.sequence), floor: Number(r.sequence_floor),
  inventory: JSON.parse(String(r.inventory)) as Inventory, installedAt: r.installed_at === null ? null : Number(r.installed_at), installedBy: (r.installed_by as string | null) ?? null,
  status: r.status as ReleaseStatus, message: (r.message as string | null) ?? null, since: Number(r.since), lastUpgradeId: (r.last_upgrade_id as string | null) ?? null,
});

const upgradeOf = (r: Row): UpgradeRow => ({
  id: String(r.id), kind: r.kind as UpgradeKind, release: String(r.release), bundleId: String(r.bundle_id), fromVersion: (r.from_version as string | null) ?? null, toVersion: String(r.to_version),
  actor: String(r.actor), startedAt: Number(r.started_at), updatedAt: Number(r.updated_at), finishedAt: r.finished_at === null ? null : Number(r.finished_at), phase: r.phase as UpgradePhase,
  outcome: (r.outcome as UpgradeOutcome | null) ?? null, code: (r.code as string | null) ?? null, message: String(r.message), resumes: Number(r.resumes),
  journal: JSON.parse(String(r.journal)) as Journal, reasons: JSON.parse(String(r.reasons)) as FailureReason[],
});

export interface CommitChange {
  release: string;
  bundleId: string;
  version: string;
  sequence: number;
  floor: number;
  inventory: Inventory;
  installedBy: string;
  created: number;
}

export class UpgradeStore {
  readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  // --- bundles ---------------------------------------------------------------------------
  insertOffer(b: Omit<BundleRow, 'state' | 'committedAt' | 'lastUpgradeId'>): void {
    this.db
      .prepare('INSERT INTO bundles (id, name, version, sequence, source, state, manifest, signers, bytes, offered_at, offered_by, blocking) VALUES (?, ?, ?, ?, ?, \'offered\', ?, ?, ?, ?, ?, ?)')
      .run(b.id, b.name, b.version, b.sequence, b.source, JSON.stringify(b.manifest), JSON.stringify(b.signers), b.bytes, b.offeredAt, b.offeredBy, JSON.stringify(b.blocking));
  }

  bundle(id: string): BundleRow | null {
    const r = this.db.prepare('SELECT * FROM bundles WHERE id = ?').get(id) as Row | undefined;
    return r ? bundleOf(r) : null;
  }

  bundles(state?: 'offered' | 'kept', name?: string): BundleRow[] {
    const rows = this.db.prepare('SELECT * FROM bundles WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR name = ?2) ORDER BY coalesce(committed_at, offered_at) DESC, id').all(state ?? null, name ?? null) as Row[];
    return rows.map(bundleOf);
  }

  setBlocking(id: string, blocking: PlanProblem[]): void {
    this.db.prepare('UPDATE bundles SET blocking = ? WHERE id = ?').run(JSON.stringify(blocking), id);
  }

  deleteBundle(id: string): void {
    this.db.prepare('DELETE FROM bundles WHERE id = ?').run(id);
  }

  // --- releases and device policy --------------------------------------------------------
  release(name: string): ReleaseRow | null {
    const r = this.db.prepare('SELECT * FROM releases WHERE name = ?').get(name) as Row | undefined;
    return r ? releaseOf(r) : null;
  }

  releases(): ReleaseRow[] {
    return (this.db.prepare('SELECT * FROM releases ORDER BY name').all() as Row[]).map(releaseOf);
  }

  setReleaseStatus(name: string, status: ReleaseStatus, message: string | null, upgradeId: string | null, now: number): void {
    this.db
      .prepare('INSERT INTO releases (name, inventory, status, message, since, last_upgrade_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(name) DO UPDATE SET since = CASE WHEN status = ?3 THEN since ELSE ?5 END, status = ?3, message = ?4, last_upgrade_id = coalesce(?6, last_upgrade_id)')
      .run(name, JSON.stringify(EMPTY_INVENTORY), status, message, now, upgradeId);
  }

  newestCreatedSeen(): number | null {
    const r = this.db.prepare('SELECT newest_created_seen AS n FROM device_policy WHERE id = 1').get() as { n: number | null } | undefined;
    return r?.n ?? null;
  }

  // --- upgrades --------------------------------------------------------------------------
  begin(u: Omit<UpgradeRow, 'updatedAt' | 'finishedAt' | 'outcome' | 'code' | 'resumes' | 'reasons' | 'message'>, status: ReleaseStatus): void {
    transaction(this.db, () => {
      this.db
        .prepare('INSERT INTO upgrades (id, kind, release, bundle_id, from_version, to_version, actor, started_at, updated_at, phase, journal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(u.id, u.kind, u.release, u.bundleId, u.fromVersion, u.toVersion, u.actor, u.startedAt, u.startedAt, u.phase, JSON.stringify(u.journal));
      this.setReleaseStatus(u.release, status, null, u.id, u.startedAt);
      this.db.prepare('UPDATE bundles SET last_upgrade_id = ? WHERE id = ?').run(u.id, u.bundleId);
    });
  }

  /** Writes the journal (and the release status it implies) in one transaction. */
  save(id: string, release: string, journal: Journal, status: ReleaseStatus, message: string, now: number, reasons?: FailureReason[]): void {
    transaction(this.db, () => this.#save(id, release, journal, status, message, now, reasons));
  }

  #save(id: string, release: string, j: Journal, status: ReleaseStatus, message: string, now: number, reasons?: FailureReason[]): void {
    const done = j.outcome !== null;
    this.db
      .prepare('UPDATE upgrades SET phase = ?, journal = ?, updated_at = ?, resumes = ?, message = ?, code = ?, outcome = ?, finished_at = ?, reasons = coalesce(?, reasons) WHERE id = ?')
      .run(j.phase, JSON.stringify(j), now, j.resumes, message, j.failure?.code ?? null, j.outcome, done ? now : null, reasons ? JSON.stringify(reasons) : null, id);
    const failed = status === 'failed' ? message : null;
    this.setReleaseStatus(release, status, failed, id, now);
  }

  /** The commit: moves the release pointer and saves the journal, atomically. `inside` runs before COMMIT (a fault point). */
  commit(id: string, journal: Journal, change: CommitChange, message: string, now: number, inside: () => void): void {
    transaction(this.db, () => {
      this.db
        .prepare('UPDATE releases SET bundle_id = ?, version = ?, sequence = ?, sequence_floor = max(sequence_floor, ?), inventory = ?, installed_at = ?, installed_by = ? WHERE name = ?')
        .run(change.bundleId, change.version, change.sequence, change.floor, JSON.stringify(change.inventory), now, change.installedBy, change.release);
      this.db.prepare("UPDATE bundles SET state = 'kept', committed_at = ? WHERE id = ?").run(now, change.bundleId);
      this.db.prepare('INSERT INTO device_policy (id, newest_created_seen) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET newest_created_seen = max(coalesce(newest_created_seen, 0), ?1)').run(change.created);
      this.#save(id, change.release, journal, 'upgrading', message, now);
      inside();
    });
  }

  running(): UpgradeRow | null {
    const r = this.db.prepare('SELECT * FROM upgrades WHERE outcome IS NULL').get() as Row | undefined;
    return r ? upgradeOf(r) : null;
  }

  upgrade(id: string): UpgradeRow | null {
    const r = this.db.prepare('SELECT * FROM upgrades WHERE id = ?').get(id) as Row | undefined;
    return r ? upgradeOf(r) : null;
  }

  history(limit: number, release?: string): UpgradeRow[] {
    return (this.db.prepare('SELECT * FROM upgrades WHERE (?1 IS NULL OR release = ?1) ORDER BY started_at DESC, rowid DESC LIMIT ?2').all(release ?? null, limit) as Row[]).map(upgradeOf);
  }

  // --- snapshots of adopted objects ------------------------------------------------------
  putSnapshot(upgradeId: string, key: string, object: unknown): void {
    this.db.prepare('INSERT OR REPLACE INTO upgrade_snapshots (upgrade_id, key, object) VALUES (?, ?, ?)').run(upgradeId, key, JSON.stringify(object));
  }

  snapshot(upgradeId: string, key: string): Record<string, unknown> | null {
    const r = this.db.prepare('SELECT object FROM upgrade_snapshots WHERE upgrade_id = ? AND key = ?').get(upgradeId, key) as { object: string } | undefined;
    return r ? (JSON.parse(r.object) as Record<string, unknown>) : null;
  }

  dropSnapshots(upgradeId: string): void {
    this.db.prepare('DELETE FROM upgrade_snapshots WHERE upgrade_id = ?').run(upgradeId);
  }
}
