// Crash safety: the REAL agent process — the privileged `outpost agent`, a child of `outpost serve
// --with-agent` — is stopped at each fault point (OUTPOST_FAULT makes it SIGSTOP itself there) and
// killed with SIGKILL. The web process stays up and starts the agent again (without the fault), which
// recovers. The box must come back on the old version or the new one, completely: every object of
// both versions checked with kubectl, every image with ctr, the journal idle, the history right, the
// staging clean. docs/upgrades.md lists the points and what each recovers to.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAgentSocket, ExclusiveRunner, type AgentClient } from '../../daemon/src/agent/index.ts';
import { createLogger } from '../../daemon/src/lib/logger.ts';
import type { UpgradeRecord } from '../../daemon/src/protocol/upgrade.ts';
import { openDatabase } from '../../daemon/src/store/index.ts';
import { buildUpgradeHost } from '../../daemon/src/upgrade-host.ts';
import { FAULT_MARK, MAX_RESUMES } from '../../daemon/src/upgrade/index.ts';
import { eventually } from '../helpers/cluster.ts';
import { spawnDaemon, stopDaemon, type SpawnedDaemon } from '../helpers/daemon.ts';
import { buildAppBundle, deploymentYaml } from '../helpers/upgrade-bundles.ts';
import { startUpgradeEnv, type KubeJson, type UpgradeEnv } from '../helpers/upgrade-env.ts';

type Expect = 'old' | 'new';
const POINTS: [point: string, bundle: 'v2' | 'bad', expect: Expect, recorded: 'none' | 'interrupted' | 'gate_failed' | 'committed'][] = [
  ['offer.staged', 'v2', 'old', 'none'],
  ['journal.preflight.before', 'v2', 'old', 'none'],
  ['journal.preflight.after', 'v2', 'old', 'interrupted'],
  ['journal.importing.after', 'v2', 'old', 'interrupted'],
  ['import.mid', 'v2', 'old', 'interrupted'],
  ['import.pinned', 'v2', 'old', 'interrupted'],
  ['journal.applying.after', 'v2', 'old', 'interrupted'],
  ['apply.between', 'v2', 'old', 'interrupted'],
  ['journal.gating.after', 'v2', 'old', 'interrupted'],
  ['gate.polling', 'v2', 'old', 'interrupted'],
  ['journal.committing.after', 'v2', 'old', 'interrupted'],
  ['commit.mid', 'v2', 'old', 'interrupted'],
  ['journal.pruning.after', 'v2', 'new', 'committed'],
  ['prune.mid', 'v2', 'new', 'committed'],
  ['journal.cleanup.after', 'v2', 'new', 'committed'],
  ['rollback.apply', 'bad', 'old', 'gate_failed'],
  ['rollback.delete', 'bad', 'old', 'gate_failed'],
  ['journal.rollback_gating.after', 'bad', 'old', 'gate_failed'],
  ['journal.rollback_cleanup.after', 'bad', 'old', 'gate_failed'],
];

let env: UpgradeEnv;
let configFile: string;
const actor = { name: 'crash-test', role: 'admin', address: 'local' };
const BIG = randomBytes(3 << 20).toString('base64');

interface Case {
  name: string;
  ns: string;
  home: string;
  image1: string;
  image2: string;
  files: Record<'v1' | 'v2' | 'bad', string>;
}

function manifests(c: Case, version: 'v1' | 'v2' | 'bad'): Record<string, string> {
  const ns = `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${c.ns}}\n`;
  const cfg = (level: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: ${c.ns}}\ndata: {level: "${level}"}\n`;
  if (version === 'v1') return { 'app.yaml': [ns, cfg('1'), deploymentYaml(c.ns, 'web', c.image1), deploymentYaml(c.ns, 'old-only', c.image1)].join('---\n') };
  const web = version === 'bad' ? deploymentYaml(c.ns, 'web', c.image2, { behavior: 'crashloop' }) : deploymentYaml(c.ns, 'web', c.image2);
  return { 'app.yaml': [ns, cfg('2'), web, deploymentYaml(c.ns, 'new-only', c.image2)].join('---\n') };
}

async function makeCase(index: number): Promise<Case> {
  const c: Case = { name: `c${index}`, ns: `crash-${index}`, home: path.join(env.dir, `home-${index}`), image1: `${env.prefix}c${index}/web:1`, image2: `${env.prefix}c${index}/web:2`, files: { v1: '', v2: '', bad: '' } };
  c.files.v1 = await buildAppBundle(env.dir, { name: c.name, version: '1.0.0', sequence: 1, images: [c.image1], manifests: manifests(c, 'v1') });
  c.files.v2 = await buildAppBundle(env.dir, { name: c.name, version: '2.0.0', sequence: 2, images: [c.image2], manifests: manifests(c, 'v2'), imagePadding: BIG });
  c.files.bad = await buildAppBundle(env.dir, { name: c.name, version: '2.0.1', sequence: 3, images: [c.image2], manifests: manifests(c, 'bad'), imagePadding: BIG });
  return c;
}

/** Installs v1 with the engine in this process (as `outpost upgrade` does with no daemon). */
async function installV1(c: Case): Promise<void> {
  const runner = new ExclusiveRunner();
  const host = await buildUpgradeHost({ config: env.config({ home: c.home }), log: createLogger('silent'), runner, audit: () => undefined, env: {} });
  try {
    expect(host.lock.acquire('test').ok).toBe(true);
    await host.service.start();
    const offered = await host.service.offerBundle(actor, { path: c.files.v1, source: 'cli' });
    const { upgradeId } = await host.service.applyBundle(actor, offered.bundle.id);
    expect((await host.service.followUpgrade(upgradeId, () => undefined)).outcome).toBe('committed');
  } finally {
    runner.stop();
    host.lock.release();
    host.close();
  }
}

const daemonFor = (c: Case, fault?: string) =>
  spawnDaemon({ home: c.home, config: configFile, args: ['--with-agent'], timeoutMs: 60_000, env: { OUTPOST_KUBECONFIG: env.kube.kubeconfig, OUTPOST_HOME: c.home, OUTPOST_FAULT: fault ?? '' } });

/** The agent's socket, once an agent answers on it (it starts after the web process). */
const agentOf = (c: Case) => eventually(() => connectAgentSocket(path.join(c.home, 'agent.sock')), 'the agent to answer', 60_000);

/** Starts an upgrade and waits until the agent stops itself at `point`; returns the stopped agent's pid. */
async function stopAt(c: Case, daemon: SpawnedDaemon, point: string, bundle: 'v2' | 'bad'): Promise<number> {
  const client = await agentOf(c);
  void (async () => {
    const offered = await client.offerBundle(actor, { path: c.files[bundle], source: 'cli' });
    await client.applyBundle(actor, offered.bundle.id);
  })().catch(() => undefined);
  const mark = new RegExp(`${FAULT_MARK} ${point.replace(/\./g, '\\.')} pid=(\\d+)`);
  const pid = Number((await eventually(() => mark.exec(daemon.stderr()), `the fault point ${point}`, 90_000))[1]);
  client.close();
  return pid;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`);

/** Waits until the web's agent has answered and finished any recovery. */
async function recovered(c: Case): Promise<{ client: AgentClient; history: UpgradeRecord[] }> {
  // A connection made while the killed agent was still exiting breaks: connect again then.
  const client = await eventually(async () => {
    const candidate = await connectAgentSocket(path.join(c.home, 'agent.sock'));
    if ((await candidate.currentUpgrade().catch(() => 'broken')) === null) return candidate;
    candidate.close();
    return null;
  }, 'recovery to finish', 90_000);
  return { client, history: await client.upgradeHistory({ limit: 10 }) };
}

async function get(c: Case, kind: string, name: string): Promise<KubeJson | null> {
  const r = await env.kube.kubectl(['-n', c.ns, 'get', kind, name, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as KubeJson) : null;
}

async function assertVersion(c: Case, version: Expect): Promise<void> {
  const old = version === 'old';
  const web = await get(c, 'deployment', 'web');
  expect(web?.spec.template.spec.containers[0].image).toBe(old ? c.image1 : c.image2);
  expect(web?.spec.template.metadata.annotations?.['sim.outpost.dev/behavior']).toBeUndefined();
  expect(web?.metadata.annotations['outpost.dev/version']).toBe(old ? '1.0.0' : '2.0.0');
  expect((await get(c, 'configmap', 'cfg'))?.data.level).toBe(old ? '1' : '2');
  expect((await get(c, 'deployment', 'old-only')) !== null).toBe(old);
  expect((await get(c, 'deployment', 'new-only')) !== null).toBe(!old);
  const images = await env.ctrd.images(`${env.prefix}${c.name}/`);
  expect(images.get(c.image1)?.['io.cri-containerd.pinned']).toBe('pinned');
  expect(images.get(c.image2)?.['io.cri-containerd.pinned']).toBe(old ? undefined : 'pinned');
}

function assertStore(c: Case, version: Expect): void {
  const db = openDatabase(c.home);
  try {
    expect(db.prepare('SELECT count(*) AS n FROM upgrades WHERE outcome IS NULL').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT version, status FROM releases WHERE name = ?').get(c.name)).toEqual({ version: old(version) ? '1.0.0' : '2.0.0', status: 'installed' });
    const ids = (db.prepare('SELECT id FROM bundles').all() as { id: string }[]).map((r) => r.id).sort();
    const bundlesDir = path.join(c.home, 'bundles');
    expect(readdirSync(path.join(bundlesDir, 'incoming'))).toEqual([]);
    expect(readdirSync(bundlesDir).filter((d) => d !== 'incoming').sort()).toEqual(ids);
  } finally {
    db.close();
  }
}

const old = (v: Expect) => v === 'old';

beforeAll(async () => {
  env = await startUpgradeEnv();
  configFile = path.join(env.dir, 'outpost.config.json');
  const { home: _home, ...settings } = env.settings();
  writeFileSync(configFile, JSON.stringify(settings));
}, 60_000);

afterAll(async () => {
  await env?.close();
});

// Cases are independent (own home, release, namespace, image names): a few run at once.
describe.concurrent('crash safety: SIGKILL at each fault point, then a restart', () => {
  it.each(POINTS.map((p, i) => [i, ...p] as const))('#%i %s (bundle %s) recovers to the %s version', async (index, point, bundle, expected, recorded) => {
    const c = await makeCase(index);
    await installV1(c);
    const daemon = await daemonFor(c, point);
    let client: AgentClient | undefined;
    try {
      const stopped = await stopAt(c, daemon, point, bundle);
      process.kill(stopped, 'SIGKILL');
      await eventually(() => !alive(stopped), 'the stopped agent to be gone', 5000);
      // The web process stays up and starts a new agent, which recovers from the journal.
      const after = await recovered(c);
      client = after.client;
      const history = after.history;
      expect(daemon.child.exitCode).toBeNull();
      expect(alive(stopped)).toBe(false);
      expect((await client.agentInfo()).pid).not.toBe(stopped);
      await assertVersion(c, expected);
      assertStore(c, expected);
      const last = history[0] as UpgradeRecord;
      if (recorded === 'none') expect(history.map((u) => u.toVersion)).toEqual(['1.0.0']);
      else {
        expect(history.length).toBe(2);
        const code = { interrupted: 'upgrade.interrupted', gate_failed: 'upgrade.gate_failed', committed: null }[recorded];
        expect(last).toMatchObject({ toVersion: bundle === 'v2' ? '2.0.0' : '2.0.1', outcome: recorded === 'committed' ? 'committed' : 'rolled_back', code, resumes: 1 });
      }
    } finally {
      client?.close();
      await stopDaemon(daemon);
    }
  }, 400_000);
});

/** A power cut: the stopped agent, then the web process before it starts another agent. */
async function powerCut(daemon: SpawnedDaemon, agentPid: number): Promise<void> {
  process.kill(agentPid, 'SIGKILL');
  // The web reaps it at once, and waits at least 400 ms before it starts the next one.
  await eventually(() => !alive(agentPid), 'the agent to be gone', 5000);
  daemon.child.kill('SIGKILL');
  await daemon.exited;
}

describe('crash loop: the resume counter', () => {
  it(`stops resuming after ${MAX_RESUMES} restarts and marks the release failed on its old version`, async () => {
    const c = await makeCase(POINTS.length);
    await installV1(c);
    const first = await daemonFor(c, 'gate.polling');
    await powerCut(first, await stopAt(c, first, 'gate.polling', 'v2'));
    // Every start now dies as soon as the recovery writes its first rollback transition.
    for (let start = 1; start <= MAX_RESUMES; start += 1) {
      const daemon = await daemonFor(c, 'journal.rolling_back.after');
      const mark = /OUTPOST_FAULT_REACHED journal\.rolling_back\.after pid=(\d+)/;
      const pid = Number((await eventually(() => mark.exec(daemon.stderr()), 'the recovery to crash again', 90_000))[1]);
      await powerCut(daemon, pid);
    }
    const daemon = await daemonFor(c);
    const { client, history } = await recovered(c);
    try {
      expect(history[0]).toMatchObject({ toVersion: '2.0.0', outcome: 'failed', code: 'upgrade.resume_limit', resumes: MAX_RESUMES + 1 });
      const [release] = await client.listReleases();
      expect(release).toMatchObject({ name: c.name, version: '1.0.0', status: 'failed', message: expect.stringContaining('stopped 3 times') });
      const db = openDatabase(c.home);
      try {
        expect(db.prepare('SELECT count(*) AS n FROM upgrades WHERE outcome IS NULL').get()).toEqual({ n: 0 });
      } finally {
        db.close();
      }
    } finally {
      client.close();
      await stopDaemon(daemon);
    }
  }, 400_000);
});
