// `outpost upgrade` as a user runs it: first with no daemon (the CLI runs the engine itself), then
// with the daemon running (the CLI goes through its agent socket). Checked with kubectl and ctr.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../daemon/src/store/index.ts';
import { runCli } from '../bundles/run-cli.ts';
import { spawnDaemon, stopDaemon, type SpawnedDaemon } from '../helpers/daemon.ts';
import { buildAppBundle, deploymentYaml } from '../helpers/upgrade-bundles.ts';
import { startUpgradeEnv, type UpgradeEnv } from '../helpers/upgrade-env.ts';

let env: UpgradeEnv;
let configFile: string;
const NS = 'ns-cli';
const bundles: Record<string, string> = {};
const manifests = (web: string, level: string, behavior?: string) => ({
  'app.yaml': `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: ${NS}}\ndata: {level: "${level}"}\n---\n${deploymentYaml(NS, 'web', web, behavior ? { behavior } : {})}`,
});
const upgrade = (...args: string[]) => runCli(['upgrade', ...args, '--config', configFile], { timeoutMs: 60_000 });
const image = async (deployment: string) => JSON.parse((await env.kube.kubectl(['-n', NS, 'get', 'deployment', deployment, '-o', 'json'])).stdout).spec.template.spec.containers[0].image as string;

beforeAll(async () => {
  env = await startUpgradeEnv();
  configFile = path.join(env.dir, 'outpost.config.yaml');
  writeFileSync(configFile, JSON.stringify(env.settings()));
  bundles.v1 = await buildAppBundle(env.dir, { version: '1.0.0', sequence: 1, images: [`${env.prefix}web:1`], manifests: manifests(`${env.prefix}web:1`, '1') });
  bundles.v2 = await buildAppBundle(env.dir, { version: '2.0.0', sequence: 2, images: [`${env.prefix}web:2`], manifests: manifests(`${env.prefix}web:2`, '2') });
  bundles.bad = await buildAppBundle(env.dir, { version: '3.0.0', sequence: 3, images: [`${env.prefix}web:3`], manifests: manifests(`${env.prefix}web:3`, '3', 'crashloop') });
  bundles.v4 = await buildAppBundle(env.dir, { version: '4.0.0', sequence: 4, manifests: manifests(`${env.prefix}web:2`, '4') });
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('outpost upgrade without a daemon', () => {
  it('offers a bundle: prints the plan and its id', async () => {
    const r = await upgrade('offer', bundles.v1 as string, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.id).toMatch(/^[0-9a-f]{16}$/);
    expect(out.plan).toMatchObject({ release: 'app', kind: 'install', to: { version: '1.0.0' }, blocking: 0 });
    const text = await upgrade('offer', bundles.v1 as string);
    expect(text.stdout).toContain('app (nothing) → 1.0.0 (install');
    expect(text.stdout).toContain(`offered as ${out.id} (already offered)`);
  });

  it('refuses to apply without --yes when it cannot ask', async () => {
    const r = await upgrade('apply', bundles.v1 as string);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
  });

  it('applies a file with --yes --json: committed, exit 0, the cluster and containerd agree', async () => {
    const r = await upgrade('apply', bundles.v1 as string, '--yes', '--json');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ outcome: 'committed', code: null, message: 'committed 1.0.0', release: 'app', version: '1.0.0' });
    expect(await image('web')).toBe(`${env.prefix}web:1`);
    expect((await env.ctrd.images(env.prefix)).get(`${env.prefix}web:1`)?.['io.cri-containerd.pinned']).toBe('pinned');
  });

  it('rolls back a crash-looping bundle: exit 1 with rolled_back and the gate code', async () => {
    const r = await upgrade('apply', bundles.bad as string, '--yes', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'rolled_back', code: 'upgrade.gate_failed', release: 'app', version: '1.0.0' });
    expect(await image('web')).toBe(`${env.prefix}web:1`);
  });

  it('refuses a bundle the trust folder does not trust, with the bundle’s own code', async () => {
    writeFileSync(path.join(env.dir, 'untrusted.json'), JSON.stringify(env.settings({ upgrade: { trustDir: path.join(env.dir, 'no-such-trust') } })));
    const r = await runCli(['upgrade', 'offer', bundles.v2 as string, '--config', path.join(env.dir, 'untrusted.json')], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bundle\.trust_invalid.*\(bundle_refused\)/);
  });

  it('prints status and history', async () => {
    const status = JSON.parse((await upgrade('status', '--json')).stdout);
    expect(status.releases).toMatchObject([{ name: 'app', version: '1.0.0', status: 'installed', lastOutcome: { outcome: 'rolled_back' } }]);
    expect(status.current).toBeNull();
    const history = JSON.parse((await upgrade('history', '--json')).stdout);
    expect(history.upgrades.map((u: { outcome: string }) => u.outcome)).toEqual(['rolled_back', 'committed']);
    expect((await upgrade('history')).stdout).toMatch(/upgrade +app 1\.0\.0 → 3\.0\.0 +rolled_back upgrade\.gate_failed/);
  });
});

describe('outpost upgrade with the daemon running', () => {
  let daemon: SpawnedDaemon;

  beforeAll(async () => {
    daemon = await spawnDaemon({ home: env.home, config: configFile, timeoutMs: 30_000, env: { OUTPOST_KUBECONFIG: env.kube.kubeconfig } });
  }, 40_000);

  afterAll(async () => {
    if (daemon) await stopDaemon(daemon);
  });

  it('goes through the daemon: the same journal, audited as the CLI user', async () => {
    const r = await upgrade('apply', bundles.v2 as string, '--yes');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toContain('through the daemon');
    expect(r.stdout).toContain('committed: app 1.0.0 → 2.0.0');
    expect(await image('web')).toBe(`${env.prefix}web:2`);
    const db = openDatabase(env.home);
    try {
      const rows = db.prepare("SELECT actor, outcome FROM audit WHERE action = 'upgrade.apply' ORDER BY id").all() as { actor: string; outcome: string }[];
      expect(rows.at(-1)).toEqual({ actor: expect.stringMatching(/^cli:/), outcome: 'success' });
    } finally {
      db.close();
    }
  });

  it('rolls a release back through the daemon with --yes', async () => {
    const r = await upgrade('rollback', 'app', '--yes', '--json');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'committed', release: 'app', version: '1.0.0' });
    expect(await image('web')).toBe(`${env.prefix}web:1`);
  });

  it('applies an offered bundle by its id', async () => {
    const offered = JSON.parse((await upgrade('offer', bundles.v4 as string, '--json')).stdout);
    const r = await upgrade('apply', offered.id, '--yes', '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'committed', version: '4.0.0' });
    expect(JSON.parse((await env.kube.kubectl(['-n', NS, 'get', 'configmap', 'cfg', '-o', 'json'])).stdout).data.level).toBe('4');
  });
});
