// scripts/k8s/ against the sim's RBAC: it applies in one go, the web identity reads what the web
// process reads and may change nothing at all, and the agent identity can do its job (restarts,
// bundle apply/prune/rollback of every bundle kind, CRDs, HelmCharts) and exactly that.
import { CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { accessMatrix, as, served, VERBS } from './rbac-kit.ts';
import { header, startHarness, until, type SimHarness } from './test-kit.ts';
import type { KObject, Obj } from './types.ts';

const SCRIPTS = fileURLToPath(new URL('../../scripts/k8s/', import.meta.url));
const DEMO = fileURLToPath(new URL('./fixtures/demo', import.meta.url));
const KINDS = fileURLToPath(new URL('./fixtures/kinds/', import.meta.url));
const READS = ['namespaces', 'nodes', 'pods', 'events', 'apps/deployments', 'apps/replicasets', 'apps/statefulsets', 'apps/daemonsets', 'batch/jobs'];
const SELF = [
  'authentication.k8s.io/selfsubjectreviews: create',
  'authorization.k8s.io/selfsubjectaccessreviews: create',
  'authorization.k8s.io/selfsubjectrulesreviews: create',
];
const ALL = 'get,list,watch,create,update,patch,delete';

/** What the agent may do: every line is a job it has (docs/cluster.md, RBAC); nothing else. */
const AGENT = [
  '/configmaps: ' + ALL,
  '/events: get,list,watch,create,patch',
  '/namespaces: ' + ALL,
  '/nodes: get,list,watch',
  '/persistentvolumeclaims: ' + ALL,
  '/pods: get,list,watch,delete',
  '/pods/log: get',
  '/secrets: get,create,update,patch,delete',
  '/serviceaccounts: ' + ALL,
  '/services: ' + ALL,
  'apiextensions.k8s.io/customresourcedefinitions: ' + ALL,
  'apps/daemonsets: ' + ALL,
  'apps/deployments: ' + ALL,
  'apps/replicasets: get,list,watch',
  'apps/statefulsets: ' + ALL,
  ...SELF,
  'batch/cronjobs: ' + ALL,
  'batch/jobs: ' + ALL,
  'coordination.k8s.io/leases: ' + ALL,
  'helm.cattle.io/helmcharts: ' + ALL,
  'networking.k8s.io/ingresses: ' + ALL,
  'networking.k8s.io/networkpolicies: ' + ALL,
  'rbac.authorization.k8s.io/clusterrolebindings: ' + ALL,
  'rbac.authorization.k8s.io/clusterroles: ' + ALL,
  'rbac.authorization.k8s.io/rolebindings: ' + ALL,
  'rbac.authorization.k8s.io/roles: ' + ALL,
];

describe('scripts/k8s', () => {
  it('applies in one go with kubectl apply -f, again unchanged, and server-side', async () => {
    const h = await startHarness();
    try {
      const first = await h.kubectl(['apply', '-f', SCRIPTS]);
      expect(first.stderr).toBe('');
      expect(first.stdout.match(/ created$/gm)).toHaveLength(9);
      expect((await h.kubectl(['apply', '-f', SCRIPTS])).stdout.match(/ unchanged$/gm)).toHaveLength(9);
      expect((await h.kubectl(['apply', '--server-side', '--force-conflicts', '-f', SCRIPTS])).stdout.match(/ serverside-applied$/gm)).toHaveLength(9);
    } finally {
      await h.close();
    }
  });
});

describe('the identities of scripts/k8s', () => {
  let h: SimHarness;
  let web: { token: string; kubeconfig: string };
  let agent: { token: string; kubeconfig: string };
  beforeEach(async () => {
    h = await startHarness({ fixturesDir: [DEMO, SCRIPTS] });
    const mint = async (name: string): Promise<{ token: string; kubeconfig: string }> => {
      const created = await h.kubectl(['create', 'token', name, '-n', 'outpost-system', '--duration=1h']);
      expect(created.code, created.stderr).toBe(0);
      const token = created.stdout.trim();
      const kubeconfig = join(h.dir, `${name}.kubeconfig`);
      await writeFile(kubeconfig, h.sim.kubeconfig({ serviceAccount: `outpost-system/${name}` }).replace(/token: .*/, `token: ${token}`));
      return { token, kubeconfig };
    };
    web = await mint('outpost-web');
    agent = await mint('outpost-agent');
  });
  afterEach(async () => {
    await h.close();
  });
  const client = (kubeconfig: string): KubeConfig => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    return kc;
  };

  it('web reads what the web process reads, with kubectl and client-node (list, watch, get, logs)', async () => {
    const all = await h.kubectl(['--kubeconfig', web.kubeconfig, 'get', READS.map((r) => r.replace(/^(\w+)\/(\w+)$/, '$2.$1')).join(','), '-A']);
    expect(all.code, all.stderr).toBe(0);
    for (const kind of ['namespace/', 'node/', 'pod/', 'deployment.apps/', 'replicaset.apps/', 'statefulset.apps/', 'daemonset.apps/', 'job.batch/'])
      expect(all.stdout).toContain(kind);
    const pod = await until('a running ingester', () => h.sim.cluster.list('v1', 'Pod', 'ingest').find((p) => p.status?.phase === 'Running'));
    await new Promise((r) => setTimeout(r, 300));
    const logs = await h.kubectl(['--kubeconfig', web.kubeconfig, 'logs', '-n', 'ingest', pod.metadata.name, '--tail=1']);
    expect(logs).toMatchObject({ code: 0, stdout: expect.stringMatching(/seq=/) });
    const kc = client(web.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    expect((await core.readNamespacedPod({ namespace: 'ingest', name: pod.metadata.name })).metadata?.uid).toBe(pod.metadata.uid);
    const seen = new Set<string>();
    const watches = await Promise.all(
      READS.map((r) =>
        new Watch(kc).watch(
          r.includes('/') ? `/apis/${r.replace('/', '/v1/')}` : `/api/v1/${r}`,
          {},
          () => seen.add(r),
          () => undefined,
        ),
      ),
    );
    await until('every watch delivered its objects', () => READS.every((r) => r === 'batch/jobs' || seen.has(r)));
    for (const w of watches) w.abort();
    const reads = READS.map((r) => `${r.includes('/') ? r : `/${r}`}: get,list,watch`);
    expect(await accessMatrix(h.sim, web.token, 'ingest')).toEqual([...reads, '/pods/log: get', ...SELF].sort());
  });

  it('web is refused every write: kubectl commands, client-node calls on every served kind, raw requests on every subresource', async () => {
    const refused = async (args: string[]): Promise<void> => {
      const r = await h.kubectl(['--kubeconfig', web.kubeconfig, ...args]);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(/Forbidden|forbidden: User "system:serviceaccount:outpost-system:outpost-web" cannot/);
    };
    const pod = await until('an ingester pod', () => h.sim.cluster.list('v1', 'Pod', 'ingest')[0]);
    await refused(['delete', 'pod', '-n', 'ingest', pod.metadata.name]);
    await refused(['rollout', 'restart', 'deployment/sensor-ingester', '-n', 'ingest']);
    await refused(['scale', 'deployment/sensor-ingester', '-n', 'ingest', '--replicas=3']);
    await refused(['apply', '--server-side', '-f', `${KINDS}20-bundle.yaml`]);
    await refused(['create', 'token', 'outpost-agent', '-n', 'outpost-system']);
    await refused(['label', 'node', 'edge-node-1', 'x=y']);
    await refused(['exec', '-n', 'ingest', pod.metadata.name, '--', 'true']);
    const api = KubernetesObjectApi.makeApiClient(client(web.kubeconfig));
    const denied: string[] = [];
    const kinds = (await served(h.sim, web.token)).filter((x) => !x.resource.includes('/'));
    for (const r of kinds) {
      const body = {
        apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
        kind: '',
        metadata: { name: 'probe', ...(r.namespaced ? { namespace: 'default' } : {}) },
      } as KubernetesObject;
      const list = (await as(h.sim, web.token, 'GET', r.group ? `/apis/${r.group}/${r.version}` : '/api/v1')).json.resources as Obj[];
      body.kind = list.find((x) => x.name === r.resource)?.kind;
      const calls: [string, () => Promise<unknown>][] = [
        ['create', () => api.create(body)],
        ['patch', () => api.patch(body, undefined, undefined, 'web', true, PatchStrategy.ServerSideApply)],
        ['replace', () => api.replace(body)],
        ['delete', () => api.delete(body)],
      ];
      for (const [verb, call] of r.verbs.includes('create') && r.verbs.length === 1 ? [] : calls) {
        const code = await call().then(
          () => 200,
          (e: { code?: number }) => e.code,
        );
        if (code === 403) denied.push(`${r.resource}:${verb}`);
        else expect.fail(`web could ${verb} ${r.group}/${r.resource} (HTTP ${code})`);
      }
      const path = `${r.group ? `/apis/${r.group}/${r.version}` : '/api/v1'}${r.namespaced ? '/namespaces/default' : ''}/${r.resource}`;
      if (r.verbs.length > 1) expect((await as(h.sim, web.token, 'DELETE', path)).status, `deletecollection ${r.resource}`).toBe(403);
    }
    expect(denied).toHaveLength(kinds.filter((r) => r.verbs.length > 1).length * 4);
    for (const sub of ['pods/p/exec', 'pods/p/eviction', 'pods/p/status', 'serviceaccounts/default/token', 'services/s/proxy']) {
      expect((await as(h.sim, web.token, 'POST', `/api/v1/namespaces/default/${sub}`, {})).status, sub).toBe(403);
    }
    for (const sub of ['deployments/d/scale', 'deployments/d/status', 'statefulsets/s/scale']) {
      expect((await as(h.sim, web.token, 'PATCH', `/apis/apps/v1/namespaces/default/${sub}`, {}, 'application/merge-patch+json')).status, sub).toBe(403);
    }
    expect(h.sim.cluster.list('v1', 'ConfigMap', 'default').map((c) => c.metadata.name)).not.toContain('probe');
  });

  it('agent may do exactly its job: the access matrix matches the job list', async () => {
    expect(await accessMatrix(h.sim, agent.token, 'ingest')).toEqual([...AGENT].sort());
    for (const verb of ['escalate', 'bind', 'impersonate']) {
      for (const resource of ['roles', 'clusterroles', 'users', 'serviceaccounts']) {
        const spec = { resourceAttributes: { verb, group: resource.endsWith('roles') ? 'rbac.authorization.k8s.io' : '', resource } };
        expect(
          (await as(h.sim, agent.token, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec })).json.status.allowed,
          `${verb} ${resource}`,
        ).toBe(false);
      }
    }
    expect(VERBS).toHaveLength(8);
  });

  it('agent restarts workloads and deletes pods with kubectl', async () => {
    const restart = await h.kubectl(['--kubeconfig', agent.kubeconfig, 'rollout', 'restart', 'deployment/sensor-ingester', '-n', 'ingest']);
    expect(restart).toMatchObject({ code: 0, stdout: 'deployment.apps/sensor-ingester restarted\n' });
    for (const target of ['statefulset/timescaledb -n historian', 'daemonset/node-agent -n edge-system']) {
      expect((await h.kubectl(['--kubeconfig', agent.kubeconfig, 'rollout', 'restart', ...target.split(' ')])).code, target).toBe(0);
    }
    const pod = await until('a bridge pod', () => h.sim.cluster.list('v1', 'Pod', 'ingest').find((p) => p.metadata.name.startsWith('opcua-bridge')));
    expect((await h.kubectl(['--kubeconfig', agent.kubeconfig, 'delete', 'pod', '-n', 'ingest', pod.metadata.name, '--wait=false'])).code).toBe(0);
    const status = await h.kubectl(['--kubeconfig', agent.kubeconfig, 'rollout', 'status', 'deployment/sensor-ingester', '-n', 'ingest', '--timeout=20s'], {
      timeoutMs: 25_000,
    });
    expect(status.code, status.stderr).toBe(0);
  });

  it('agent applies, prunes and rolls back a bundle of every kind with client-node; secrets by name only', async () => {
    const api = KubernetesObjectApi.makeApiClient(client(agent.kubeconfig));
    const apply = <T extends KubernetesObject>(o: T): Promise<T> => api.patch(o, undefined, undefined, 'outpost', true, PatchStrategy.ServerSideApply);
    const docs = async (file: string): Promise<KObject[]> => parseAllDocuments(await readFile(`${KINDS}${file}`, 'utf8')).map((d) => d.toJS() as KObject);
    for (const crd of await docs('10-crd.yaml')) await apply(crd);
    await until('CRDs established', async () => {
      const crds = await Promise.all((await docs('10-crd.yaml')).map((c) => api.read(header(c))));
      return crds.every((c) => ((c as Obj).status?.conditions ?? []).some((x: Obj) => x.type === 'Established' && x.status === 'True'));
    });
    const bundle = await docs('20-bundle.yaml');
    const custom = bundle.filter((o) => o.apiVersion.startsWith('plant.example.com/'));
    const builtin = bundle.filter((o) => !custom.includes(o));
    for (const o of builtin) await apply(o);
    for (const o of custom) await expect(apply(o), `${o.kind} before the extension role`).rejects.toMatchObject({ code: 403 });
    const extension = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'outpost-agent-plant-example-com', labels: { 'outpost.dev/aggregate-to-agent': 'true' } },
      rules: [{ apiGroups: ['plant.example.com'], resources: ['lines', 'sites'], verbs: ALL.split(',') }],
    };
    await expect(apply(extension), 'the agent cannot grant itself the extension').rejects.toMatchObject({ code: 403 });
    expect((await h.kubectl(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(extension) })).code).toBe(0);
    await until('aggregated into the agent', async () =>
      apply(custom[0] as KObject).then(
        () => true,
        () => false,
      ),
    );
    for (const o of custom) await apply(o);
    expect((await as(h.sim, agent.token, 'GET', '/api/v1/namespaces/plant/secrets/line-credentials')).status).toBe(200);
    expect((await as(h.sim, agent.token, 'GET', '/api/v1/namespaces/plant/secrets')).status).toBe(403);
    expect((await as(h.sim, agent.token, 'GET', '/api/v1/secrets?watch=true')).status).toBe(403);
    const previous = { ...(builtin.find((o) => o.kind === 'ConfigMap') as KObject), data: { speed: '10' } };
    await apply(previous);
    expect(h.sim.cluster.get('v1', 'ConfigMap', 'plant', 'line-config')?.data).toEqual({ speed: '10' });
    for (const o of [...bundle].reverse()) if (o.kind !== 'Namespace') await api.delete(o);
    await api.delete(bundle[0] as KObject);
    await until('plant namespace gone', () => !h.sim.cluster.get('v1', 'Namespace', undefined, 'plant'), 10_000);
  });

  it('agent cannot grant what it does not hold, mint tokens, exec into pods or read secrets in bulk', async () => {
    const role = (verbs: string[], resources: string[]): string =>
      JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'app', namespace: 'ingest' },
        rules: [{ apiGroups: [''], resources, verbs }],
      });
    const fine = await as(
      h.sim,
      agent.token,
      'PATCH',
      '/apis/rbac.authorization.k8s.io/v1/namespaces/ingest/roles/app?fieldManager=outpost',
      role(['get', 'list', 'watch', 'update'], ['configmaps']),
      'application/apply-patch+yaml',
    );
    expect(fine.status).toBe(201);
    const more = await as(
      h.sim,
      agent.token,
      'PATCH',
      '/apis/rbac.authorization.k8s.io/v1/namespaces/ingest/roles/app?fieldManager=outpost',
      role(['list'], ['secrets', 'pods/exec']),
      'application/apply-patch+yaml',
    );
    expect(more).toMatchObject({ status: 403, json: { reason: 'Forbidden' } });
    expect(more.json.message).toBe(
      'roles.rbac.authorization.k8s.io "app" is forbidden: user "system:serviceaccount:outpost-system:outpost-agent" (groups=["system:serviceaccounts" "system:serviceaccounts:outpost-system" "system:authenticated"]) ' +
        'is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods/exec"], Verbs:["list"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["list"]}',
    );
    const bind = (roleName: string): string =>
      JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'me-admin' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
        subjects: [{ kind: 'ServiceAccount', name: 'outpost-agent', namespace: 'outpost-system' }],
      });
    expect(
      (
        await as(
          h.sim,
          agent.token,
          'PATCH',
          '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/me-admin?fieldManager=outpost',
          bind('cluster-admin'),
          'application/apply-patch+yaml',
        )
      ).status,
    ).toBe(403);
    const r = (args: string[]): ReturnType<SimHarness['kubectl']> => h.kubectl(['--kubeconfig', agent.kubeconfig, ...args]);
    expect((await r(['create', 'token', 'default', '-n', 'ingest'])).stderr).toContain('cannot create resource "serviceaccounts/token"');
    expect((await r(['get', 'secrets', '-A'])).stderr).toContain('cannot list resource "secrets" in API group "" at the cluster scope');
    expect((await r(['auth', 'can-i', 'create', 'pods', '--subresource=exec', '-n', 'ingest'])).stdout.trim()).toBe('no');
    expect((await r(['auth', 'can-i', 'patch', 'nodes'])).stdout.trim()).toBe('no');
  });
});
