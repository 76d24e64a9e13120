import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { LoginAttempts, SessionStore } from '../../daemon/src/auth/index.ts';
import { AuditLog, FileAuditSigner, GENESIS_HASH, hashRecord, verifyAll } from '../../daemon/src/audit/index.ts';
import { LATEST_VERSION, MIGRATIONS, migrate, openDatabase, schemaVersion, type Migration } from '../../daemon/src/store/index.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function dir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'outpost-db-'));
  dirs.push(d);
  return d;
}

describe('store migrations', () => {
  it('are numbered 1, 2, 3 … without gaps', () => {
    MIGRATIONS.forEach((m, i) => expect(m.version).toBe(i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('bring a new database to the latest version in WAL mode', () => {
    const db = openDatabase(dir());
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    db.close();
  });

  it('upgrade a database written by the first version, keeping its rows', () => {
    const home = dir();
    const old = new DatabaseSync(path.join(home, 'outpost.db'));
    migrate(old, MIGRATIONS.slice(0, 1));
    old.prepare("INSERT INTO users (username, role, password_hash, created_at, password_changed_at) VALUES ('ann', 'admin', 'x', 1, 1)").run();
    old.close();

    const next: Migration = { version: MIGRATIONS.length + 1, name: 'test: add a column', sql: 'ALTER TABLE users ADD COLUMN note TEXT' };
    const db = new DatabaseSync(path.join(home, 'outpost.db'));
    expect(migrate(db, [...MIGRATIONS, next])).toEqual([...MIGRATIONS.slice(1).map((m) => m.version), next.version]);
    expect(db.prepare('SELECT username, note FROM users').all()).toEqual([{ username: 'ann', note: null }]);
    expect(migrate(db, [...MIGRATIONS, next])).toEqual([]);
    db.close();
  });

  it('carry version 1 login counters into version 2, where the throttle still reads them', () => {
    const home = dir();
    const old = new DatabaseSync(path.join(home, 'outpost.db'));
    migrate(old, MIGRATIONS.slice(0, 1));
    const now = Date.now();
    old.prepare("INSERT INTO login_attempts (scope, key, failures, last_failure_at) VALUES ('account', 'ann', 12, ?), ('address', '10.0.0.9', 5, ?)").run(now, now);
    old.close();
    const db = openDatabase(home);
    const attempts = new LoginAttempts(db);
    expect(attempts.check('login', 'ann', '10.0.0.1', now + 1000)).toMatchObject({ allowed: false, locked: true });
    expect(attempts.check('login', 'bob', '10.0.0.9', now + 1000)).toMatchObject({ allowed: false, locked: false });
    expect(attempts.check('login', 'bob', '10.0.0.1', now + 1000).allowed).toBe(true);
    db.close();
  });

  it('end sessions of version 2, which a cookie alone could use, and keep their users', () => {
    const home = dir();
    const old = new DatabaseSync(path.join(home, 'outpost.db'));
    migrate(old, MIGRATIONS.slice(0, 2));
    old.prepare("INSERT INTO users (id, username, role, password_hash, created_at, password_changed_at) VALUES (1, 'ann', 'admin', 'x', 1, 1)").run();
    old.prepare("INSERT INTO sessions (id_hash, user_id, csrf_token, address, user_agent, created_at, last_seen_at) VALUES ('h', 1, 'tok', '10.0.0.1', 'ua', ?, ?)").run(Date.now(), Date.now());
    old.close();
    const db = openDatabase(home);
    const sessions = new SessionStore(db, { idleMs: 60_000, absoluteMs: 3_600_000 });
    expect(sessions.lookup('h')).toEqual({ ended: 'session expired' });
    expect(db.prepare('SELECT username FROM users').all()).toEqual([{ username: 'ann' }]);
    db.close();
  });

  it('carry a version 1 audit log into the keyed chain: old records still verify, and are pinned by the first keyed one', () => {
    const home = dir();
    const old = new DatabaseSync(path.join(home, 'outpost.db'));
    migrate(old, MIGRATIONS.slice(0, 3));
    // Written the way version 1 wrote them: unkeyed SHA-256 links.
    let prev = GENESIS_HASH;
    for (let id = 1; id <= 3; id += 1) {
      const e = { time: id, actor: 'ann', role: 'admin', address: '10.0.0.1', action: 'user.create', target: `u${id}`, outcome: 'success' as const, detail: '{}' };
      const hash = hashRecord(prev, e);
      old.prepare('INSERT INTO audit (id, time, actor, role, address, action, target, outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, e.time, e.actor, e.role, e.address, e.action, e.target, e.outcome, e.detail, prev, hash);
      prev = hash;
    }
    old.close();

    const db = openDatabase(home);
    const signer = FileAuditSigner.open(path.join(home, 'agent'), { create: true });
    const log = new AuditLog(db, { signer });
    expect(log.bytes()).toBeGreaterThan(0);
    const next = log.append({ actor: 'ann', role: 'admin', address: '10.0.0.1', action: 'user.create', target: 'u4', outcome: 'success' });
    expect(next).toMatchObject({ id: 4, prevHash: prev, alg: 'hmac-sha256' });
    expect(verifyAll(log, signer)).toMatchObject({ ok: true, records: 4 });
    expect([...log.all()].map((r) => r.alg)).toEqual(['sha256', 'sha256', 'sha256', 'hmac-sha256']);

    // Rewriting an old record and recomputing the old hashes after it no longer passes.
    db.exec('DROP TRIGGER audit_no_update');
    let link = GENESIS_HASH;
    for (const r of [...log.all()].slice(0, 3)) {
      const changed = { ...r, target: r.id === 2 ? 'forged' : r.target };
      const hash = hashRecord(link, changed);
      db.prepare('UPDATE audit SET target = ?, prev_hash = ?, hash = ? WHERE id = ?').run(changed.target, link, hash, r.id);
      link = hash;
    }
    expect(verifyAll(log, signer)).toMatchObject({ ok: false, badId: 4 });
    db.close();
  });

  it('roll back a failing migration and leave the version where it was', () => {
    const db = new DatabaseSync(path.join(dir(), 'outpost.db'));
    migrate(db);
    const broken: Migration = { version: LATEST_VERSION + 1, name: 'broken', sql: 'CREATE TABLE ok_one (x); THIS IS NOT SQL' };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow(/migration .* failed/);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok_one'").get()).toBeUndefined();
    db.close();
  });

  it('refuse to edit or delete audit records', () => {
    const db = openDatabase(dir());
    db.prepare("INSERT INTO audit (id, time, actor, role, address, action, target, outcome, detail, prev_hash, hash) VALUES (1, 1, 'a', 'admin', '-', 'x', '', 'success', '{}', '0', 'h')").run();
    expect(() => db.prepare("UPDATE audit SET actor = 'b'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    db.close();
  });
});
