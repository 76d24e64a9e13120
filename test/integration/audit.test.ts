import { execFile } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { createUser, login, type TestSession } from '../helpers/auth.ts';

const run = promisify(execFile);
let daemon: TestDaemon;
let admin: TestSession;

async function verify(): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [CLI, 'audit', 'verify', '--home', daemon.home, '--config', 'none'], { cwd: ROOT });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

beforeAll(async () => {
  daemon = await startTestDaemon();
  await createUser(daemon.home, 'root', 'admin');
  admin = await login(daemon.url, 'root');
  // A hostile username: newlines and a fake JSON record must not break the export's lines.
  await fetch(new URL('/api/v1/session', daemon.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: admin.origin },
    body: JSON.stringify({ username: 'evil\n{"id":999,"actor":"root"}\r\n', password: 'nope-nope-nope' }),
  });
  await fetch(new URL('/api/v1/users', daemon.url), { method: 'POST', headers: admin.headers(), body: JSON.stringify({ username: 'tech', password: 'long enough pw', role: 'operator' }) });
});
afterAll(() => daemon.stop());

describe('audit log', () => {
  it('records logins and changes with actor, role, address, target and outcome', async () => {
    const res = await fetch(new URL('/api/v1/audit', daemon.url), { headers: admin.auth() });
    const body = (await res.json()) as { records: Record<string, unknown>[]; verified: { ok: boolean } };
    expect(body.verified.ok).toBe(true);
    expect(body.records[0]).toMatchObject({ actor: 'root', role: 'admin', address: '127.0.0.1', action: 'user.create', target: 'tech', outcome: 'success' });
    expect(body.records.map((r) => r.action)).toEqual(expect.arrayContaining(['session.login', 'user.create']));
  });

  it('filters by outcome and action', async () => {
    const res = await fetch(new URL('/api/v1/audit?outcome=failure&action=session', daemon.url), { headers: admin.auth() });
    const body = (await res.json()) as { records: { outcome: string; action: string }[] };
    expect(body.records.length).toBeGreaterThan(0);
    expect(body.records.every((r) => r.outcome === 'failure' && r.action.startsWith('session'))).toBe(true);
    const bad = await fetch(new URL('/api/v1/audit?outcome=maybe', daemon.url), { headers: admin.auth() });
    expect(await bad.json()).toMatchObject({ code: 'validation_failed' });
  });

  it('exports JSON lines where user-controlled strings never break a line', async () => {
    const res = await fetch(new URL('/api/v1/audit/export', daemon.url), { headers: admin.auth() });
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="outpost-audit-.*\.jsonl"/);
    const lines = (await res.text()).trimEnd().split('\n');
    const records = lines.map((line) => JSON.parse(line) as { id: number; actor: string });
    expect(records.map((r) => r.id)).toEqual(records.map((_, i) => i + 1));
    expect(records.some((r) => r.actor.startsWith('evil'))).toBe(true);
    expect(records.find((r) => r.actor.startsWith('evil'))?.actor).not.toMatch(/[\n\r]/);
  });

  it('is verified intact by `outpost audit verify`, which names an edited record', async () => {
    const intact = await verify();
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/audit log intact: \d+ records/);

    const db = new DatabaseSync(path.join(daemon.home, 'outpost.db'));
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET outcome = 'success' WHERE id = 2").run();
    db.close();
    const broken = await verify();
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at record 2: .*edited/);
  });
});
