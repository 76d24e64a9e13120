// Tokens and RBAC end to end: TokenRequest (`kubectl create token`) and legacy token Secrets,
// what invalidates a token, resourceNames and subresources with kubectl, `auth can-i`,
// impersonation, escalation prevention (escalate, bind, aggregationRule), aggregated roles, and
// creating through server-side apply needing `create` — with kubectl and client-node.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { as } from './rbac-kit.ts';
import { startHarness, until, type SimHarness } from './test-kit.ts';

const SETUP = `apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: bot, namespace: app}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: app}
data: {k: v}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other, namespace: app}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: registry.local/web:1}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: bot, namespace: app}
rules:
  - {apiGroups: [""], resources: [configmaps], resourceNames: [cfg], verbs: [get, update, patch]}
  - {apiGroups: [""], resources: [pods/log], verbs: [get]}
  - {apiGroups: [""], resources: [pods], verbs: [get, list]}
  - {apiGroups: [apps], resources: [deployments/scale], verbs: [get, patch]}
  - {apiGroups: [rbac.authorization.k8s.io], resources: [roles, rolebindings], verbs: [create, patch]}
  - {apiGroups: [rbac.authorization.k8s.io], resources: [roles], resourceNames: [trusted], verbs: [escalate]}
  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], resourceNames: [pod-reader], verbs: [bind]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bot, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: bot}
subjects: [{kind: ServiceAccount, name: bot, namespace: app}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, watch]}]
`;

describe('tokens and RBAC', () => {
  let h: SimHarness;
  let kubeconfig: string;
  let token: string;
  beforeEach(async () => {
    h = await startHarness();
    expect((await h.kubectl(['apply', '--server-side', '-f', '-'], { input: SETUP })).code).toBe(0);
    const created = await h.kubectl(['create', 'token', 'bot', '-n', 'app']);
    token = created.stdout.trim();
    kubeconfig = join(h.dir, 'bot.kubeconfig');
    await writeFile(kubeconfig, h.sim.kubeconfig({ serviceAccount: 'app/bot' }).replace(/token: .*/, `token: ${token}`));
  });
  afterEach(async () => {
    await h.close();
  });
  const bot = (args: string[]): ReturnType<SimHarness['kubectl']> => h.kubectl(['--kubeconfig', kubeconfig, ...args]);

  it('kubectl with a minted token: resourceNames, subresources, whoami and can-i', async () => {
    expect((await bot(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).stdout).toBe('system:serviceaccount:app:bot');
    expect((await bot(['get', 'configmap', 'cfg', '-o', 'jsonpath={.data.k}'])).stdout).toBe('v');
    expect((await bot(['get', 'configmap', 'other'])).stderr).toBe(
      'Error from server (Forbidden): configmaps "other" is forbidden: User "system:serviceaccount:app:bot" cannot get resource "configmaps" in API group "" in the namespace "app"\n',
    );
    expect((await bot(['get', 'configmaps'])).stderr).toContain('cannot list resource "configmaps" in API group "" in the namespace "app"');
    expect((await bot(['label', 'configmap', 'cfg', 'x=y'])).code).toBe(0);
    const pod = await until('web pod running', () => h.sim.cluster.list('v1', 'Pod', 'app').find((p) => p.status?.phase === 'Running'));
    await new Promise((r) => setTimeout(r, 300));
    const logs = await bot(['logs', pod.metadata.name]);
    expect(logs.code, logs.stderr).toBe(0);
    expect((await bot(['get', 'pods'])).code).toBe(0);
    expect((await bot(['delete', 'pod', pod.metadata.name])).stderr).toContain('cannot delete resource "pods"');
    expect(JSON.parse((await bot(['get', '--raw', '/apis/apps/v1/namespaces/app/deployments/web/scale'])).stdout)).toMatchObject({
      kind: 'Scale',
      spec: { replicas: 1 },
    });
    const scaled = await as(
      h.sim,
      token,
      'PATCH',
      '/apis/apps/v1/namespaces/app/deployments/web/scale',
      { spec: { replicas: 2 } },
      'application/merge-patch+json',
    );
    expect(scaled).toMatchObject({ status: 200, json: { kind: 'Scale', spec: { replicas: 2 } } });
    expect((await bot(['get', 'deployment', 'web'])).stderr).toContain('cannot get resource "deployments" in API group "apps"');
    const can = async (args: string[]): Promise<string> => (await bot(['auth', 'can-i', ...args])).stdout.trim();
    expect(await can(['get', 'configmaps/cfg'])).toBe('yes');
    expect(await can(['get', 'configmaps/other'])).toBe('no');
    expect(await can(['get', 'deployments', '--subresource=scale'])).toBe('yes');
    expect(await can(['update', 'deployments', '--subresource=scale'])).toBe('no');
    expect(await can(['get', 'pods', '--subresource=log'])).toBe('yes');
    expect(await can(['list', 'pods', '-n', 'default'])).toBe('no');
    expect((await bot(['auth', 'can-i', '--list'])).stdout).toMatch(/configmaps\s+\[\]\s+\[cfg\]\s+\[get update patch\]/);
  });

  it('a token stops working when it expires, its account or bound pod goes, or it was meant for another audience', async () => {
    expect((await as(h.sim, token, 'GET', '/api/v1/namespaces/app/configmaps/cfg')).status).toBe(200);
    const unknown = await as(h.sim, `${token}x`, 'GET', '/api/v1/namespaces/app/configmaps/cfg');
    expect(unknown).toEqual({
      status: 401,
      json: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 },
    });
    expect((await as(h.sim, h.sim.token('app/bot', { expirationSeconds: -1 }), 'GET', '/version')).status).toBe(401);
    expect((await as(h.sim, h.sim.token('app/bot', { audiences: ['vault'] }), 'GET', '/version')).status).toBe(401);
    const short = await as(h.sim, 'kube-sim-admin', 'POST', '/api/v1/namespaces/app/serviceaccounts/bot/token', { spec: { expirationSeconds: 599 } });
    expect(short.json).toMatchObject({
      code: 422,
      message:
        'TokenRequest.authentication.k8s.io "bot" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
    });
    const pod = await until('a pod', () => h.sim.cluster.list('v1', 'Pod', 'app')[0]);
    const bound = await as(h.sim, 'kube-sim-admin', 'POST', '/api/v1/namespaces/app/serviceaccounts/bot/token', {
      spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name, uid: pod.metadata.uid } },
    });
    expect(bound.status).toBe(201);
    expect((await as(h.sim, bound.json.status.token, 'GET', '/api/v1/namespaces/app/configmaps/cfg')).status).toBe(200);
    const review = await as(h.sim, 'kube-sim-admin', 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', { spec: { token } });
    expect(review.json.status).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:app:bot' } });
    await as(h.sim, 'kube-sim-admin', 'DELETE', `/api/v1/namespaces/app/pods/${pod.metadata.name}?gracePeriodSeconds=0`);
    expect((await as(h.sim, bound.json.status.token, 'GET', '/version')).status).toBe(401);
    await h.kubectl(['delete', 'serviceaccount', 'bot', '-n', 'app']);
    expect((await as(h.sim, token, 'GET', '/version')).status).toBe(401);
  });

  it('fills a legacy service-account-token Secret; its token lives as long as the Secret', async () => {
    await h.kubectl(['apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: Secret\nmetadata: {name: bot-token, namespace: app, annotations: {kubernetes.io/service-account.name: bot}}\ntype: kubernetes.io/service-account-token\n',
    });
    const secret = await until('token filled in', () =>
      h.sim.cluster.get('v1', 'Secret', 'app', 'bot-token')?.data?.token ? h.sim.cluster.get('v1', 'Secret', 'app', 'bot-token') : undefined,
    );
    expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'namespace', 'token']);
    const legacy = Buffer.from(secret.data.token, 'base64').toString();
    expect((await as(h.sim, legacy, 'GET', '/api/v1/namespaces/app/configmaps/cfg')).status).toBe(200);
    await h.kubectl(['delete', 'secret', 'bot-token', '-n', 'app']);
    expect((await as(h.sim, legacy, 'GET', '/api/v1/namespaces/app/configmaps/cfg')).status).toBe(401);
  });

  it('impersonation: the admin acts as the account with --as; the account may not impersonate', async () => {
    const asBot = await h.kubectl(['get', 'configmap', 'other', '-n', 'app', '--as=system:serviceaccount:app:bot']);
    expect(asBot.stderr).toContain('User "system:serviceaccount:app:bot" cannot get resource "configmaps"');
    expect((await h.kubectl(['auth', 'can-i', 'get', 'configmaps/cfg', '-n', 'app', '--as=system:serviceaccount:app:bot'])).stdout).toBe('yes\n');
    const refused = await bot(['get', 'configmap', 'cfg', '--as=admin']);
    expect(refused.stderr).toContain(
      'users "admin" is forbidden: User "system:serviceaccount:app:bot" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
  });

  it('RBAC writes need the permissions granted, or escalate/bind on that role; aggregationRule needs cluster-admin', async () => {
    const role = (name: string, verbs: string[]): string =>
      JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name, namespace: 'app' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'], verbs }],
      });
    const apply = (path: string, body: string): ReturnType<typeof as> =>
      as(h.sim, token, 'PATCH', `${path}?fieldManager=bot`, body, 'application/apply-patch+yaml');
    const roles = '/apis/rbac.authorization.k8s.io/v1/namespaces/app/roles';
    expect((await apply(`${roles}/held`, role('held', ['get']))).status).toBe(201);
    const escalating = await apply(`${roles}/more`, role('more', ['get', 'delete']));
    expect(escalating.json.message).toContain(
      'is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["configmaps"], ResourceNames:["cfg"], Verbs:["delete"]}',
    );
    expect((await apply(`${roles}/trusted`, role('trusted', ['get', 'delete']))).status).toBe(201);
    const binding = (name: string, ref: string): string =>
      JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name, namespace: 'app' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ref },
        subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'app' }],
      });
    const bindings = '/apis/rbac.authorization.k8s.io/v1/namespaces/app/rolebindings';
    expect((await apply(`${bindings}/admin`, binding('admin', 'cluster-admin'))).status).toBe(403);
    expect((await apply(`${bindings}/reader`, binding('reader', 'pod-reader'))).status).toBe(201);
    expect((await as(h.sim, token, 'GET', '/api/v1/namespaces/app/pods?watch=true&timeoutSeconds=1')).status).toBe(200);
    const aggregate = JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'agg' },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] },
    });
    await h.kubectl(['create', 'clusterrole', 'bot-clusterroles', '--verb=create', '--resource=clusterroles']);
    await h.kubectl(['create', 'clusterrolebinding', 'bot-clusterroles', '--clusterrole=bot-clusterroles', '--serviceaccount=app:bot']);
    const refused = await as(h.sim, token, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', aggregate);
    expect(refused.json).toMatchObject({
      code: 403,
      message: 'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule',
    });
    expect((await h.kubectl(['create', '-f', '-'], { input: aggregate })).code).toBe(0);
  });

  it('an aggregated ClusterRole gathers the rules of the roles its selector picks', async () => {
    await h.kubectl(['apply', '--server-side', '-f', '-'], {
      input: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: gathered}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {gather: "yes"}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: gathered}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: gathered}
subjects: [{kind: ServiceAccount, name: bot, namespace: app}]
`,
    });
    expect((await bot(['get', 'nodes'])).code).not.toBe(0);
    await h.kubectl(['apply', '--server-side', '-f', '-'], {
      input:
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: nodes, labels: {gather: "yes"}}\nrules: [{apiGroups: [""], resources: [nodes], verbs: [list]}]\n',
    });
    await until('nodes listable', async () => (await as(h.sim, token, 'GET', '/api/v1/nodes')).status === 200);
    expect((await bot(['get', 'nodes', '-o', 'name'])).stdout).toBe('node/edge-node-1\n');
    await h.kubectl(['label', 'clusterrole', 'nodes', 'gather-']);
    await until('nodes refused again', async () => (await as(h.sim, token, 'GET', '/api/v1/nodes')).status === 403);
  });

  it('client-node with the account kubeconfig: allowed calls work, refused ones throw 403; apply-create also needs create', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(h.sim.kubeconfig({ serviceAccount: 'app/bot' }));
    const core = kc.makeApiClient(CoreV1Api);
    expect((await core.readNamespacedConfigMap({ namespace: 'app', name: 'cfg' })).data).toEqual({ k: 'v' });
    await expect(core.createNamespacedConfigMap({ namespace: 'app', body: { metadata: { name: 'new' } } })).rejects.toMatchObject({ code: 403 });
    const patched = await as(
      h.sim,
      token,
      'PATCH',
      '/api/v1/namespaces/app/configmaps/cfg?fieldManager=bot',
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"b":"1"}}',
      'application/apply-patch+yaml',
    );
    expect(patched.status).toBe(200);
    await h.kubectl([
      'patch',
      'role',
      'bot',
      '-n',
      'app',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["configmaps"],"verbs":["patch"]}}]',
    ]);
    const created = await as(
      h.sim,
      token,
      'PATCH',
      '/api/v1/namespaces/app/configmaps/fresh?fieldManager=bot',
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fresh"}}',
      'application/apply-patch+yaml',
    );
    expect(created).toMatchObject({ status: 403, json: { reason: 'Forbidden', message: 'configmaps "fresh" is forbidden: ' } });
  });
});
