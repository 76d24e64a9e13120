// The upgrade API through the daemon, as the UI will call it: policies (viewer reads, operator
// applies and deletes, admin rolls back), CSRF, 409 busy for a restart during an upgrade, the
// `upgrade` feed topic with live progress, releases with health, history, and the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../daemon/src/audit/index.ts';
import type { EventMessage, SnapshotMessage, UpgradePlan, UpgradeRecord, UpgradeState } from '../../daemon/src/protocol/index.ts';
import { openDatabase } from '../../daemon/src/store/index.ts';
import { userSession, type TestSession } from '../helpers/auth.ts';
import { eventually } from '../helpers/cluster.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';
import { buildAppBundle, deploymentYaml } from '../helpers/upgrade-bundles.ts';
import { startUpgradeEnv, type UpgradeEnv } from '../helpers/upgrade-env.ts';

let env: UpgradeEnv;
let daemon: TestDaemon;
let viewer: TestSession;
let operator: TestSession;
let admin: TestSession;
const NS = 'ns-http';
const cli = { name: 'setup', role: 'admin', address: 'local' };
const yaml = (image: string, level: string) => ({ 'a.yaml': `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: ${NS}}\ndata: {level: "${level}"}\n---\n${deploymentYaml(NS, 'web', image)}` });

const get = async <T>(session: TestSession, path: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(new URL(path, daemon.url), { headers: session.auth() });
  return { status: res.status, body: (await res.json()) as T };
};
const send = async (session: TestSession, method: string, path: string, headers = session.headers()) => {
  const res = await fetch(new URL(path, daemon.url), { method, headers, ...(method === 'POST' ? { body: '{}' } : {}) });
  return { status: res.status, body: (await res.json()) as { code?: string; detail?: string; upgradeId?: string; deleted?: string } };
};
const finished = (id: string) => eventually(async () => {
  const r = await get<{ upgrade: UpgradeRecord }>(viewer, `/api/v1/upgrades/${id}`);
  return r.body.upgrade.outcome ? r.body.upgrade : null;
}, `upgrade ${id} finished`, 60_000);
const offer = async (version: string, sequence: number, image: string, images: string[] = [image]) =>
  (await daemon.upgrades.offerBundle(cli, { path: await buildAppBundle(env.dir, { version, sequence, images, manifests: yaml(image, version) }), source: 'cli' })).bundle.id;

beforeAll(async () => {
  env = await startUpgradeEnv();
  const { home: _home, ...settings } = env.settings();
  daemon = await startTestDaemon(settings);
  await daemon.upgradesReady;
  viewer = await userSession(daemon.home, daemon.url, 'vera', 'viewer');
  operator = await userSession(daemon.home, daemon.url, 'otto', 'operator');
  admin = await userSession(daemon.home, daemon.url, 'ada', 'admin');
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  await env?.close();
});

describe('the upgrade API', () => {
  let first: string;

  it('lists offered bundles and their plans to a viewer, and refuses them apply and delete', async () => {
    first = await offer('1.0.0', 1, `${env.prefix}web:1`);
    const list = await get<{ bundles: { id: string; name: string; version: string; source: string; blocking: unknown[] }[] }>(viewer, '/api/v1/bundles');
    expect(list.body.bundles).toEqual([expect.objectContaining({ id: first, name: 'app', version: '1.0.0', source: 'cli', sequence: 1, signers: [expect.any(String)], blocking: [] })]);
    const plan = await get<UpgradePlan>(viewer, `/api/v1/bundles/${first}/plan`);
    expect(plan.body).toMatchObject({ release: 'app', kind: 'install', notes: expect.stringContaining('# app 1.0.0'), images: [{ references: [`${env.prefix}web:1`], present: false }] });
    expect((await send(viewer, 'POST', `/api/v1/bundles/${first}/apply`)).body.code).toBe('forbidden');
    expect((await send(viewer, 'DELETE', `/api/v1/bundles/${first}`)).body.code).toBe('forbidden');
    expect((await get<{ code: string }>(viewer, '/api/v1/bundles/0123456789abcdef/plan')).body.code).toBe('bundle_not_found');
  });

  it('applies for an operator (CSRF required), streams progress on the feed, refuses a restart meanwhile as busy', async () => {
    const { cookie, origin } = operator;
    expect((await send(operator, 'POST', `/api/v1/bundles/${first}/apply`, { cookie, origin, 'content-type': 'application/json' })).body.code).toBe('csrf_failed');
    const feed = await TestFeedClient.open(daemon.url, operator.feed());
    feed.send({ type: 'subscribe', topic: 'upgrade' });
    await feed.waitFor((m) => m.type === 'snapshot' && m.topic === 'upgrade');
    const accepted = await send(operator, 'POST', `/api/v1/bundles/${first}/apply`);
    expect(accepted.status).toBe(202);
    const id = accepted.body.upgradeId as string;
    const busy = await send(operator, 'POST', `/api/v1/workloads/${NS}/deployment/web/restart`);
    expect(busy).toMatchObject({ status: 409, body: { code: 'busy', detail: expect.stringContaining('upgrade of app (nothing) → 1.0.0') } });
    expect((await send(operator, 'POST', `/api/v1/bundles/${first}/apply`)).status).toBe(409);
    const current = await get<{ upgrade: UpgradeRecord | null }>(viewer, '/api/v1/upgrades/current');
    expect(current.body.upgrade).toMatchObject({ id, release: 'app', toVersion: '1.0.0', outcome: null });
    const done = await finished(id);
    expect(done).toMatchObject({ outcome: 'committed', kind: 'install' });
    const events = feed.messages.filter((m): m is EventMessage<'upgrade'> => m.type === 'event' && m.topic === 'upgrade').map((m) => m.event);
    const phases = new Set(events.flatMap((e) => (e.kind === 'upgrade.record.v1' || e.kind === 'upgrade.progress.v1' ? [('upgrade' in e ? e.upgrade.phase : e.phase)] : [])));
    expect([...phases]).toEqual(expect.arrayContaining(['preflight', 'importing', 'applying', 'gating', 'done']));
    expect(events.some((e) => e.kind === 'upgrade.workloads.v1' && e.workloads.some((w) => w.key === `${NS}/deployment/web`))).toBe(true);
    const reload = await TestFeedClient.open(daemon.url, operator.feed());
    reload.send({ type: 'subscribe', topic: 'upgrade' });
    const snapshot = await reload.waitFor<SnapshotMessage<'upgrade'>>((m) => m.type === 'snapshot' && m.topic === 'upgrade');
    expect((snapshot.state as UpgradeState).recent[0]).toMatchObject({ id, outcome: 'committed' });
    feed.socket.close();
    reload.socket.close();
  });

  it('shows releases with version, status and health from the cluster view, and the history', async () => {
    const releases = await eventually(async () => {
      const r = await get<{ releases: { name: string; health: { state: string } }[] }>(viewer, '/api/v1/releases');
      return r.body.releases[0]?.health.state === 'ok' ? r.body.releases : null;
    }, 'the release healthy', 20_000);
    expect(releases[0]).toMatchObject({ name: 'app', version: '1.0.0', sequence: 1, status: 'installed', installedBy: 'otto', workloads: [`${NS}/deployment/web`] });
    const history = await get<{ upgrades: UpgradeRecord[] }>(viewer, '/api/v1/upgrades/history?release=app');
    expect(history.body.upgrades.map((u) => [u.toVersion, u.outcome, u.actor])).toEqual([['1.0.0', 'committed', 'otto']]);
  });

  it('refuses an apply whose plan is blocked with upgrade_blocked, and lets an operator delete the offer', async () => {
    const blocked = await offer('2.0.0', 2, `${env.prefix}missing:2`, []);
    const r = await send(operator, 'POST', `/api/v1/bundles/${blocked}/apply`);
    expect(r).toMatchObject({ status: 409, body: { code: 'upgrade_blocked', detail: expect.stringContaining('neither in the bundle nor on the node') } });
    expect((await send(operator, 'DELETE', `/api/v1/bundles/${blocked}`)).body).toEqual({ deleted: blocked });
    expect((await get<{ bundles: unknown[] }>(viewer, '/api/v1/bundles')).body.bundles).toEqual([]);
  });

  it('rolls back only for an admin, after showing the rollback plan', async () => {
    const second = await offer('3.0.0', 3, `${env.prefix}web:3`);
    expect((await finished((await send(operator, 'POST', `/api/v1/bundles/${second}/apply`)).body.upgradeId as string)).outcome).toBe('committed');
    const plan = await get<UpgradePlan>(viewer, '/api/v1/releases/app/rollback-plan');
    expect(plan.body).toMatchObject({ kind: 'rollback', from: { version: '3.0.0' }, to: { version: '1.0.0' } });
    expect((await send(operator, 'POST', '/api/v1/releases/app/rollback')).body.code).toBe('forbidden');
    const accepted = await send(admin, 'POST', '/api/v1/releases/app/rollback');
    expect(accepted.status).toBe(202);
    expect(await finished(accepted.body.upgradeId as string)).toMatchObject({ outcome: 'committed', kind: 'rollback', toVersion: '1.0.0' });
    expect((await send(admin, 'POST', '/api/v1/releases/nope/rollback')).body.code).toBe('release_not_found');
  });

  it('audits every accepted and refused mutation with its actor, and each outcome', async () => {
    const db = openDatabase(daemon.home);
    try {
      const audit = new AuditLog(db);
      const applies = audit.query({ action: 'upgrade.apply' }).map((r) => [r.actor, r.outcome]);
      expect(applies).toEqual(expect.arrayContaining([['otto', 'success'], ['otto', 'failure']]));
      expect(audit.query({ action: 'release.rollback' }).map((r) => [r.actor, r.outcome])).toContainEqual(['ada', 'success']);
      expect(audit.query({ action: 'bundle.delete' }).map((r) => [r.actor, r.outcome])).toContainEqual(['otto', 'success']);
      expect(audit.query({ action: 'upgrade.outcome' }).length).toBe(3);
    } finally {
      db.close();
    }
  });
});
