// The real /usr/bin/kubectl against the sim: what it prints and how it behaves must match a
// real single-node cluster for the commands the project relies on.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { columns, startHarness, until, waitExit, type SimHarness } from './test-kit.ts';

const demo = fileURLToPath(new URL('./fixtures/demo', import.meta.url));

const WEB = (replicas: number, image = 'registry.local/web:1.0'): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "${image}"}]
`;

describe('kubectl against kube-sim', () => {
  let h: SimHarness;
  beforeEach(async () => {
    h = await startHarness({ fixturesDir: demo, imagesFile: join(demo, 'images.txt') });
    h.sim.cluster.images.add('registry.local/web:1.0');
    h.sim.cluster.images.add('registry.local/web:1.1');
  });
  afterEach(async () => {
    await h.close();
  });

  it('get pods -A shows READY, STATUS and RESTARTS for running, crash-looping and image-less pods', async () => {
    const rows = await until(
      'demo pods settled',
      async () => {
        const { stdout, code } = await h.kubectl(['get', 'pods', '-A']);
        expect(code).toBe(0);
        const parsed = columns(stdout);
        const ingester = parsed.filter((r) => r.NAME?.startsWith('sensor-ingester-'));
        const bridge = parsed.find((r) => r.NAME?.startsWith('opcua-bridge-'));
        const ok =
          ingester.length === 2 && ingester.every((r) => r.READY === '1/1' && r.STATUS === 'Running') && bridge && Number(bridge.RESTARTS?.split(' ')[0]) >= 2;
        return ok ? parsed : undefined;
      },
      15_000,
      200,
    );
    expect(Object.keys(rows[0] ?? {})).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    const exporter = rows.find((r) => r.NAME?.startsWith('report-exporter-'));
    expect(exporter).toMatchObject({ NAMESPACE: 'historian', READY: '0/1', STATUS: 'ErrImageNeverPull', RESTARTS: '0' });
    const bridge = rows.find((r) => r.NAME?.startsWith('opcua-bridge-'));
    expect(bridge?.RESTARTS).toMatch(/^\d+ \(\d+s ago\)$/);
    expect(['CrashLoopBackOff', 'Error', 'Running']).toContain(bridge?.STATUS);
    expect(rows.find((r) => r.NAME === 'timescaledb-0')?.NAMESPACE).toBe('historian');
  });

  it('get deploy,sts,ds -A prints each kind with its own columns', async () => {
    await until(
      'ingester available',
      async () => /sensor-ingester\s+2\/2\s+2\s+2/.test((await h.kubectl(['get', 'deploy', '-n', 'ingest'])).stdout),
      10_000,
      100,
    );
    const { stdout, code } = await h.kubectl(['get', 'deploy,sts,ds', '-A']);
    expect(code).toBe(0);
    const [deploys = '', sts = '', ds = ''] = stdout.trim().split(/\n\s*\n/);
    expect(deploys.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    expect(deploys).toMatch(/ingest\s+deployment\.apps\/sensor-ingester\s+2\/2\s+2\s+2/);
    expect(deploys).toMatch(/historian\s+deployment\.apps\/report-exporter\s+0\/1\s+1\s+0/);
    expect(sts.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+AGE$/);
    expect(sts).toMatch(/historian\s+statefulset\.apps\/timescaledb\s+[01]\/1/);
    expect(ds.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/);
    expect(ds).toMatch(/edge-system\s+daemonset\.apps\/node-agent\s+1\s+1\s+[01]\s+1\s+[01]\s+<none>/);
  });

  it('describe pod shows containers, state, conditions and the pod events', async () => {
    const name = await until('exporter pod', async () =>
      (await h.kubectl(['get', 'pods', '-n', 'historian', '-o', 'name'])).stdout.split('\n').find((n) => n.includes('report-exporter')),
    );
    const out = await until('failure events', async () => {
      const r = await h.kubectl(['describe', '-n', 'historian', name]);
      return r.stdout.includes('ErrImageNeverPull') && r.stdout.includes('Events:') && /Warning\s+ErrImageNeverPull/.test(r.stdout) ? r.stdout : undefined;
    });
    expect(out).toMatch(/Namespace:\s+historian/);
    expect(out).toMatch(/Node:\s+edge-node-1\/10\.0\.0\.10/);
    expect(out).toMatch(/Controlled By:\s+ReplicaSet\/report-exporter-/);
    expect(out).toMatch(/State:\s+Waiting\n\s+Reason:\s+ErrImageNeverPull/);
    expect(out).toMatch(/Image:\s+registry\.local\/edge\/report-exporter:1\.3\.0/);
    expect(out).toMatch(/Ready\s+False/);
    expect(out).toMatch(/Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned historian\//);
  });

  it('rollout restart replaces every pod and rollout status completes', async () => {
    await h.kubectl(['apply', '--server-side', '-f', '-'], { input: WEB(3) });
    await until('web rolled out', async () => (await h.kubectl(['rollout', 'status', 'deploy/web', '--timeout=5s'])).code === 0, 15_000, 100);
    const before = (await h.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'name'])).stdout.trim().split('\n');
    expect(before).toHaveLength(3);
    const restart = await h.kubectl(['rollout', 'restart', 'deployment/web']);
    expect(restart.stdout).toContain('deployment.apps/web restarted');
    const status = await h.kubectl(['rollout', 'status', 'deployment/web', '--timeout=20s'], { timeoutMs: 25_000 });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('deployment "web" successfully rolled out');
    const after = await until('old pods gone', async () => {
      const names = (await h.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'name'])).stdout.trim().split('\n');
      return names.length === 3 && names.every((n) => !before.includes(n)) ? names : undefined;
    });
    expect(after).toHaveLength(3);
    const rs = columns((await h.kubectl(['get', 'rs', '-l', 'app=web'])).stdout);
    expect(rs.map((r) => r.DESIRED).sort()).toEqual(['0', '3']);
  });

  it('rollout undo goes back to the previous ReplicaSet, and scale resizes it', async () => {
    await h.kubectl(['apply', '--server-side', '-f', '-'], { input: WEB(2) });
    expect((await h.kubectl(['rollout', 'status', 'deploy/web', '--timeout=15s'], { timeoutMs: 20_000 })).code).toBe(0);
    const first = columns((await h.kubectl(['get', 'rs', '-l', 'app=web'])).stdout)[0]?.NAME;
    expect((await h.kubectl(['set', 'image', 'deploy/web', 'web=registry.local/web:1.1'])).code).toBe(0);
    expect((await h.kubectl(['rollout', 'status', 'deploy/web', '--timeout=15s'], { timeoutMs: 20_000 })).code).toBe(0);
    const undo = await h.kubectl(['rollout', 'undo', 'deploy/web']);
    expect(undo.stdout).toContain('deployment.apps/web rolled back');
    expect((await h.kubectl(['rollout', 'status', 'deploy/web', '--timeout=15s'], { timeoutMs: 20_000 })).code).toBe(0);
    const rs = columns((await h.kubectl(['get', 'rs', '-l', 'app=web'])).stdout);
    expect(rs).toHaveLength(2);
    expect(rs.find((r) => r.DESIRED === '2')?.NAME).toBe(first);
    expect((await h.kubectl(['scale', 'deploy/web', '--replicas=1'])).stdout).toContain('deployment.apps/web scaled');
    await until('scaled down', async () => columns((await h.kubectl(['get', 'pods', '-l', 'app=web'])).stdout).length === 1);
    const history = await h.kubectl(['rollout', 'history', 'deploy/web']);
    expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
  });

  it('logs prints the container lines and logs -f streams until the pod is deleted', async () => {
    await h.kubectl(['apply', '--server-side', '-f', '-'], { input: WEB(1) });
    const pod = await until('web pod running', async () => {
      const rows = columns((await h.kubectl(['get', 'pods', '-l', 'app=web'])).stdout);
      return rows[0]?.STATUS === 'Running' ? rows[0].NAME : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    const logs = await h.kubectl(['logs', `pod/${pod}`, '--tail=2']);
    expect(logs.code).toBe(0);
    expect(logs.stdout.trim().split('\n')).toHaveLength(2);
    expect(logs.stdout).toMatch(/container=web instance=0 seq=\d+/);
    const viaDeploy = await h.kubectl(['logs', 'deployment/web', '--timestamps', '--tail=1']);
    expect(viaDeploy.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z level=/);
    const follow = h.spawnKubectl(['logs', '-f', `pod/${pod}`]);
    const seen = await until('streamed lines', () =>
      follow
        .output()
        .split('\n')
        .filter((l) => l.includes('seq=')).length >= 3
        ? follow.output()
        : undefined,
    );
    const count = seen.split('\n').length;
    await until('more lines arrive while following', () => follow.output().split('\n').length > count + 1);
    expect(follow.exitCode).toBeNull();
    expect((await h.kubectl(['delete', 'pod', pod, '--wait=false'])).code).toBe(0);
    expect(await waitExit(follow, 10_000)).toBe(0);
    expect(follow.output()).toContain('received SIGTERM');
  });

  it('delete pod waits for it to go and its ReplicaSet recreates it', async () => {
    await h.kubectl(['apply', '--server-side', '-f', '-'], { input: WEB(2) });
    await until('two ready', async () => (await h.kubectl(['get', 'deploy', 'web'])).stdout.includes('2/2'));
    const [victim] = (await h.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'name'])).stdout.trim().split('\n');
    const del = await h.kubectl(['delete', String(victim)]);
    expect(del.code).toBe(0);
    expect(del.stdout).toContain(`${String(victim).replace('pod/', 'pod "')}" deleted`);
    const pods = await until('replacement ready', async () => {
      const rows = columns((await h.kubectl(['get', 'pods', '-l', 'app=web'])).stdout);
      return rows.length === 2 && rows.every((r) => r.READY === '1/1') ? rows : undefined;
    });
    expect(pods.map((r) => `pod/${r.NAME}`)).not.toContain(victim);
  });

  it('apply --server-side creates, updates, and reports a conflict with another field manager', async () => {
    const file = join(h.dir, 'web.yaml');
    await writeFile(file, WEB(2));
    const created = await h.kubectl(['apply', '--server-side', '-f', file]);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('deployment.apps/web serverside-applied');
    await writeFile(file, WEB(3, 'registry.local/web:1.1'));
    const updated = await h.kubectl(['apply', '--server-side', '-f', file]);
    expect(updated.code).toBe(0);
    const got = JSON.parse((await h.kubectl(['get', 'deploy', 'web', '-o', 'json'])).stdout);
    expect(got.spec.replicas).toBe(3);
    expect(got.spec.template.spec.containers[0].image).toBe('registry.local/web:1.1');
    expect(got.metadata.generation).toBe(2);
    const conflict = await h.kubectl(['apply', '--server-side', '--field-manager=plant-operator', '-f', '-'], { input: WEB(5, 'registry.local/web:1.1') });
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    expect(conflict.stderr).toContain('--force-conflicts');
    const forced = await h.kubectl(['apply', '--server-side', '--field-manager=plant-operator', '--force-conflicts', '-f', '-'], {
      input: WEB(5, 'registry.local/web:1.1'),
    });
    expect(forced.code).toBe(0);
    const after = JSON.parse((await h.kubectl(['get', 'deploy', 'web', '-o', 'json', '--show-managed-fields'])).stdout);
    expect(after.spec.replicas).toBe(5);
    const kubectlEntry = after.metadata.managedFields.find((m: { manager: string }) => m.manager === 'kubectl');
    expect(kubectlEntry.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
  });

  it('imperative create of namespaces, configmaps and secrets works; other protobuf bodies get a clear 415', async () => {
    expect((await h.kubectl(['create', 'namespace', 'line-2'])).stdout).toContain('namespace/line-2 created');
    expect((await h.kubectl(['create', 'configmap', 'plc', '-n', 'line-2', '--from-literal=unit=7'])).code).toBe(0);
    expect((await h.kubectl(['create', 'secret', 'generic', 'db', '-n', 'line-2', '--from-literal=pw=s3cret'])).code).toBe(0);
    expect((await h.kubectl(['get', 'cm', 'plc', '-n', 'line-2', '-o', 'jsonpath={.data.unit}'])).stdout).toBe('7');
    expect(Buffer.from((await h.kubectl(['get', 'secret', 'db', '-n', 'line-2', '-o', 'jsonpath={.data.pw}'])).stdout, 'base64').toString()).toBe('s3cret');
    expect(await h.kubectl(['auth', 'can-i', 'patch', 'deployments', '-n', 'ingest'])).toMatchObject({ code: 0, stdout: 'yes\n' });
    const deploy = await h.kubectl(['create', 'deployment', 'x', '--image=registry.local/web:1.0']);
    expect(deploy.code).not.toBe(0);
    expect(deploy.stderr).toMatch(/kube-sim decodes protobuf only for Namespace, ConfigMap, Secret, ServiceAccount, .* \(got Deployment\)/);
  });

  it('get --watch prints a row per change', async () => {
    const watch = h.spawnKubectl(['get', 'pods', '-n', 'default', '--watch']);
    await until('watch open on the server', () => h.sim.activeStreams() > 0);
    await h.kubectl(['apply', '--server-side', '-f', '-'], { input: WEB(1) });
    const out = await until('pending and running rows', () => {
      const text = watch.output();
      return /web-\S+\s+0\/1\s+Pending/.test(text) && /web-\S+\s+1\/1\s+Running/.test(text) ? text : undefined;
    });
    expect(out).toMatch(/NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(watch.exitCode).toBeNull();
  });
});
