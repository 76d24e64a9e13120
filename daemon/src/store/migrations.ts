// Numbered schema migrations. Append only: never edit a released migration; add the next number.
// The database's `user_version` is the number of the last one applied.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users, sessions, login attempts, audit log',
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        password_changed_at INTEGER NOT NULL,
        disabled_at INTEGER
      );
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        csrf_token TEXT NOT NULL,
        address TEXT NOT NULL,
        user_agent TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        ended_at INTEGER,
        end_reason TEXT
      );
      CREATE INDEX sessions_user ON sessions(user_id);
      CREATE TABLE login_attempts (
        scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
        key TEXT NOT NULL,
        failures INTEGER NOT NULL,
        last_failure_at INTEGER NOT NULL,
        PRIMARY KEY (scope, key)
      );
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        address TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_time ON audit(time);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'login throttle: per-address share of each account, first-start setup on its own',
    // SQLite cannot change a CHECK constraint in place: copy into a new table. Version 1 counted
    // wrong setup codes under the account name "setup"; those rows stay account rows.
    sql: `
      CREATE TABLE login_attempts_v2 (
        scope TEXT NOT NULL CHECK (scope IN ('account', 'address', 'pair', 'setup')),
        key TEXT NOT NULL,
        failures INTEGER NOT NULL,
        last_failure_at INTEGER NOT NULL,
        PRIMARY KEY (scope, key)
      );
      INSERT INTO login_attempts_v2 (scope, key, failures, last_failure_at) SELECT scope, key, failures, last_failure_at FROM login_attempts;
      DROP TABLE login_attempts;
      ALTER TABLE login_attempts_v2 RENAME TO login_attempts;
    `,
  },
  {
    version: 3,
    name: 'sessions bound to a token the page holds',
    // Sessions of version 2 have no token: a cookie alone was enough for them, so they end here
    // (everyone logs in once after the upgrade). Only the token's hash is stored.
    sql: `
      ALTER TABLE sessions ADD COLUMN token_hash TEXT;
      UPDATE sessions SET ended_at = CAST(unixepoch('subsec') * 1000 AS INTEGER), end_reason = 'session expired' WHERE ended_at IS NULL;
      ALTER TABLE sessions DROP COLUMN csrf_token;
    `,
  },
  {
    version: 4,
    name: 'audit log: keyed chain, size accounting for retention, pruning through an anchor',
    // Records of earlier versions keep their plain SHA-256 (alg 'sha256'); the first keyed record
    // covers the last of them. Deletes stay refused except while retention sets audit_meta.pruning.
    sql: `
      ALTER TABLE audit ADD COLUMN alg TEXT NOT NULL DEFAULT 'sha256' CHECK (alg IN ('sha256', 'hmac-sha256'));
      CREATE TABLE audit_meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        bytes INTEGER NOT NULL,
        pruning INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO audit_meta (id, bytes)
        SELECT 1, COALESCE(SUM(length(CAST(actor AS BLOB)) + length(CAST(role AS BLOB)) + length(CAST(address AS BLOB)) + length(CAST(action AS BLOB))
          + length(CAST(target AS BLOB)) + length(CAST(outcome AS BLOB)) + length(CAST(detail AS BLOB)) + length(prev_hash) + length(hash) + 48), 0)
        FROM audit;
      DROP TRIGGER audit_no_delete;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit WHEN (SELECT pruning FROM audit_meta WHERE id = 1) IS NOT 1
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
      CREATE INDEX audit_anchors ON audit(id) WHERE action = 'audit.pruned';
    `,
  },
  {
    version: 5,
    name: 'upgrades: offered and kept bundles, releases, the upgrade journal, the engine lock',
    sql: `
      CREATE TABLE bundles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('cli', 'upload', 'usb')),
        state TEXT NOT NULL CHECK (state IN ('offered', 'kept')),
        manifest TEXT NOT NULL,
        signers TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        offered_at INTEGER NOT NULL,
        offered_by TEXT NOT NULL,
        blocking TEXT NOT NULL DEFAULT '[]',
        committed_at INTEGER,
        last_upgrade_id TEXT
      );
      CREATE INDEX bundles_name ON bundles(name, state);
      CREATE TABLE releases (
        name TEXT PRIMARY KEY,
        bundle_id TEXT REFERENCES bundles(id),
        version TEXT,
        sequence INTEGER NOT NULL DEFAULT 0,
        sequence_floor INTEGER NOT NULL DEFAULT 0,
        inventory TEXT NOT NULL,
        installed_at INTEGER,
        installed_by TEXT,
        status TEXT NOT NULL CHECK (status IN ('installed', 'upgrading', 'rolling_back', 'failed', 'absent')),
        message TEXT,
        since INTEGER NOT NULL,
        last_upgrade_id TEXT
      );
      CREATE TABLE upgrades (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('install', 'upgrade', 'rollback')),
        release TEXT NOT NULL,
        bundle_id TEXT NOT NULL,
        from_version TEXT,
        to_version TEXT NOT NULL,
        actor TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER,
        phase TEXT NOT NULL,
        outcome TEXT CHECK (outcome IN ('committed', 'rolled_back', 'refused', 'failed')),
        code TEXT,
        message TEXT NOT NULL DEFAULT '',
        resumes INTEGER NOT NULL DEFAULT 0,
        journal TEXT NOT NULL,
        reasons TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX upgrades_started ON upgrades(started_at);
      CREATE UNIQUE INDEX upgrades_one_running ON upgrades((outcome IS NULL)) WHERE outcome IS NULL;
      CREATE TABLE upgrade_snapshots (
        upgrade_id TEXT NOT NULL,
        key TEXT NOT NULL,
        object TEXT NOT NULL,
        PRIMARY KEY (upgrade_id, key)
      );
      CREATE TABLE engine_lock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pid INTEGER NOT NULL,
        start_time TEXT NOT NULL,
        holder TEXT NOT NULL,
        since INTEGER NOT NULL
      );
      CREATE TABLE device_policy (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        newest_created_seen INTEGER
      );
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
