// The audit log over HTTP and `outpost audit verify`: records with actor, address, target and
// outcome; anonymous failed logins counted into one record per address and window; pages with a
// cursor; and a chain keyed with a secret the database does not hold, whose head is kept outside
// the database, so an edit with recomputed hashes, a cut tail or a dropped trigger is caught.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, startTestDaemon, tempDir, type TestDaemon } from '../helpers/daemon.ts';
import { createUser, login, type TestSession } from '../helpers/auth.ts';
import { rawRequest } from '../helpers/http.ts';
import { hashRecord, type AuditEntry } from '../../daemon/src/audit/chain.ts';

const run = promisify(execFile);
let daemon: TestDaemon;
let admin: TestSession;

async function verify(home = daemon.home): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [CLI, 'audit', 'verify', '--home', home, '--config', 'none'], { cwd: ROOT });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

interface Page {
  records: { id: number; actor: string; action: string; outcome: string; address: string; detail: Record<string, unknown> }[];
  next: number | null;
  verified: { ok: boolean; checkedThrough: number };
}
async function page(query = ''): Promise<Page> {
  const res = await rawRequest(new URL(`/api/v1/audit${query}`, daemon.url), { headers: admin.auth() });
  expect(res.status).toBe(200);
  return res.json as unknown as Page;
}
// The aggregation window: long enough for a burst of parallel logins to fall into one.
const WINDOW_S = 2;
const settle = () => new Promise((r) => setTimeout(r, WINDOW_S * 1000 + 500));

beforeAll(async () => {
  daemon = await startTestDaemon({ audit: { aggregateSeconds: WINDOW_S } });
  await createUser(daemon.home, 'root', 'admin');
  admin = await login(daemon.url, 'root');
  // A hostile username: newlines and a fake JSON record must not break the export's lines.
  await rawRequest(new URL('/api/v1/session', daemon.url), {
    method: 'POST',
    headers: { origin: admin.origin },
    body: { username: 'evil\n{"id":999,"actor":"root"}\r\n', password: 'nope-nope-nope' },
    from: '127.0.0.5',
  });
  await fetch(new URL('/api/v1/users', daemon.url), { method: 'POST', headers: admin.headers(), body: JSON.stringify({ username: 'tech', password: 'long enough pw', role: 'operator' }) });
  await settle();
});
afterAll(() => daemon.stop());

describe('audit log', () => {
  it('records logins and changes with actor, role, address, target and outcome', async () => {
    const body = await page();
    expect(body.verified.ok).toBe(true);
    expect(body.records.find((r) => r.action === 'user.create')).toMatchObject({ actor: 'root', role: 'admin', address: '127.0.0.1', action: 'user.create', target: 'tech', outcome: 'success' });
    expect(body.records.map((r) => r.action)).toEqual(expect.arrayContaining(['session.login', 'user.create']));
  });

  it('counts anonymous failed logins from one address into one record per window', async () => {
    const from = '127.0.0.7';
    // Accounts that exist (with cheap hashes), so the whole burst falls well inside one window.
    for (let i = 0; i < 6; i += 1) await createUser(daemon.home, `guess${i}`, 'viewer');
    const names = Array.from({ length: 30 }, (_, i) => `guess${i % 6}`);
    await Promise.all(names.map((username) => rawRequest(new URL('/api/v1/session', daemon.url), { method: 'POST', headers: { origin: admin.origin }, body: { username, password: 'wrong wrong' }, from })));
    await settle();
    const rows = (await page('?action=session.login&limit=1000')).records.filter((r) => r.address === from);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: 'failure', detail: { count: 30 } });
    const reasons = rows[0]!.detail.reasons as Record<string, number>;
    expect(Object.values(reasons).reduce((a, b) => a + b, 0)).toBe(30);
    expect(reasons.throttled).toBeGreaterThan(0);
    expect(rows[0]!.detail.accounts).toEqual(expect.arrayContaining(['guess0', 'guess5']));
  });

  it('pages newest first with a cursor, no record twice, to the end', async () => {
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const body: Page = await page(`?limit=3${cursor ? `&before=${cursor}` : ''}`);
      expect(body.records.length).toBeLessThanOrEqual(3);
      seen.push(...body.records.map((r) => r.id));
      cursor = body.next;
    } while (cursor !== null);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.at(-1)).toBe(1);
  });

  it('filters by outcome and action', async () => {
    const body = await page('?outcome=failure&action=session');
    expect(body.records.length).toBeGreaterThan(0);
    expect(body.records.every((r) => r.outcome === 'failure' && r.action.startsWith('session'))).toBe(true);
    const bad = await rawRequest(new URL('/api/v1/audit?outcome=maybe', daemon.url), { headers: admin.auth() });
    expect(bad.json).toMatchObject({ code: 'validation_failed' });
  });

  it('exports JSON lines where user-controlled strings never break a line', async () => {
    const res = await fetch(new URL('/api/v1/audit/export', daemon.url), { headers: admin.auth() });
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="outpost-audit-.*\.jsonl"/);
    const lines = (await res.text()).trimEnd().split('\n');
    const records = lines.map((line) => JSON.parse(line) as { id: number; detail: string });
    expect(records.map((r) => r.id)).toEqual(records.map((_, i) => i + 1));
    const evil = records.find((r) => r.detail.includes('evil'));
    expect(evil?.detail).not.toMatch(/[\n\r]/);
  });

  it('keeps the chain key and the head outside the database, readable by their owner only', () => {
    const agent = path.join(daemon.home, 'agent');
    expect(statSync(agent).mode & 0o777).toBe(0o700);
    for (const file of ['audit.key', 'audit-head.json']) expect(statSync(path.join(agent, file)).mode & 0o777, file).toBe(0o600);
    // Nothing the database holds is the key.
    const key = readFileSync(path.join(agent, 'audit.key'), 'utf8').trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    for (const file of ['outpost.db', 'outpost.db-wal']) {
      const bytes = existsSync(path.join(daemon.home, file)) ? readFileSync(path.join(daemon.home, file)) : Buffer.alloc(0);
      expect(bytes.includes(key) || bytes.includes(Buffer.from(key, 'hex')), file).toBe(false);
    }
  });

  it('reports on the page, from its checkpoint, a record tampered with since', async () => {
    expect((await page()).verified.ok).toBe(true);
    await fetch(new URL('/api/v1/users', daemon.url), { method: 'POST', headers: admin.headers(), body: JSON.stringify({ username: 'tech2', password: 'long enough pw', role: 'viewer' }) });
    const newest = (await page()).records[0]!;
    expect((await page()).verified.checkedThrough).toBe(newest.id);
    // A record added after the checkpoint, then edited: the next page's check reaches it.
    await fetch(new URL('/api/v1/users', daemon.url), { method: 'POST', headers: admin.headers(), body: JSON.stringify({ username: 'tech3', password: 'long enough pw', role: 'viewer' }) });
    const db = new DatabaseSync(path.join(daemon.home, 'outpost.db'));
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET target = 'someone-else' WHERE action = 'user.create' AND target = 'tech3'").run();
    db.exec("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END");
    db.close();
    const after = await page();
    expect(after.verified).toMatchObject({ ok: false, badId: newest.id + 1 });
  });
});

describe('outpost audit verify', () => {
  type Tamper = (db: DatabaseSync) => void;
  const homes: string[] = [];
  let template: string;

  // One log, written by a real daemon; each case tampers with its own copy.
  beforeAll(async () => {
    const made = await startTestDaemon();
    await createUser(made.home, 'root', 'admin');
    const session = await login(made.url, 'root');
    for (const name of ['t1', 't2']) {
      await fetch(new URL('/api/v1/users', made.url), { method: 'POST', headers: session.headers(), body: JSON.stringify({ username: name, password: 'long enough pw', role: 'viewer' }) });
    }
    await made.close();
    template = made.home;
    homes.push(template);
    expect(await verify(template)).toMatchObject({ code: 0, stdout: expect.stringMatching(/audit log intact: 3 records/) });
  });
  afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

  async function tampered(tamper: Tamper): Promise<{ code: number; stdout: string; home: string }> {
    const home = tempDir();
    homes.push(home);
    cpSync(template, home, { recursive: true });
    const db = new DatabaseSync(path.join(home, 'outpost.db'));
    tamper(db);
    db.close();
    return { ...(await verify(home)), home };
  }

  it('names a record edited after its trigger was dropped', async () => {
    const result = await tampered((db) => {
      db.exec('DROP TRIGGER audit_no_update');
      db.prepare("UPDATE audit SET outcome = 'failure' WHERE id = 2").run();
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/BROKEN at record 2: .*edited/);
  });

  it('names a record edited with every later hash recomputed (without the key)', async () => {
    const result = await tampered((db) => {
      db.exec('DROP TRIGGER audit_no_update');
      const rows = db.prepare('SELECT * FROM audit ORDER BY id').all() as unknown as (AuditEntry & { id: number; prev_hash: string; hash: string })[];
      let prev = rows[1]!.prev_hash;
      for (const row of rows.slice(1)) {
        const entry: AuditEntry = { ...row, target: row.id === 2 ? 'nobody-was-here' : row.target };
        const hash = hashRecord(prev, entry);
        db.prepare('UPDATE audit SET target = ?, prev_hash = ?, hash = ? WHERE id = ?').run(entry.target, prev, hash, row.id);
        prev = hash;
      }
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/BROKEN at record 2/);
  });

  it('notices a cut tail', async () => {
    const result = await tampered((db) => {
      db.exec('DROP TRIGGER audit_no_delete');
      db.exec('DELETE FROM audit WHERE id > (SELECT MAX(id) - 2 FROM audit)');
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/BROKEN.*(cut|truncated|head)/i);
  });

  it('reports a copy nobody touched as intact, head file and all', async () => {
    const result = await tampered(() => undefined);
    expect(result.code).toBe(0);
    expect(existsSync(path.join(result.home, 'agent', 'audit-head.json'))).toBe(true);
  });
});
