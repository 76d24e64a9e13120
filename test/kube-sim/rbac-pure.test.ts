// The RBAC pieces without HTTP: request attributes from paths, rule matching (wildcards,
// subresources, resource names, URLs), bindings and their subjects, the 403 message, and the
// escalation check with its message.
import { describe, expect, it } from 'vitest';
import { authorize, forbiddenMessage, ruleAllows, serviceAccountUser, type PolicyRule, type RbacObjects } from './rbac.ts';
import { breakdown, compactString, escalationMessage, missingRules } from './rbac-escalation.ts';
import { requestAttributes } from './request-info.ts';
import type { Obj } from './types.ts';

const q = (s = ''): URLSearchParams => new URLSearchParams(s);

describe('request attributes', () => {
  it.each([
    ['GET', '/api/v1/namespaces/ns/pods', '', { verb: 'list', resource: 'pods', namespace: 'ns', name: '' }],
    ['GET', '/api/v1/namespaces/ns/pods', 'watch=true', { verb: 'watch', resource: 'pods' }],
    ['GET', '/api/v1/pods', 'fieldSelector=metadata.name%3Dp1', { verb: 'list', name: 'p1', namespace: '' }],
    ['GET', '/api/v1/watch/namespaces/ns/pods/p1', '', { verb: 'watch', name: 'p1' }],
    ['GET', '/api/v1/namespaces/ns/pods/p1/log', '', { verb: 'get', resource: 'pods', subresource: 'log', name: 'p1' }],
    ['POST', '/api/v1/namespaces/ns/serviceaccounts/sa/token', '', { verb: 'create', resource: 'serviceaccounts', subresource: 'token' }],
    ['PATCH', '/apis/apps/v1/namespaces/ns/deployments/d/scale', '', { verb: 'patch', apiGroup: 'apps', subresource: 'scale' }],
    ['DELETE', '/api/v1/namespaces/ns/pods', '', { verb: 'deletecollection' }],
    ['GET', '/api/v1/namespaces/ns', '', { verb: 'get', resource: 'namespaces', namespace: 'ns', name: 'ns' }],
    ['PUT', '/api/v1/namespaces/ns/finalize', '', { resource: 'namespaces', subresource: 'finalize', name: 'ns' }],
  ])('%s %s?%s', (method, path, query, expected) => {
    expect(requestAttributes(method, path, q(query))).toMatchObject({ resourceRequest: true, ...expected });
  });

  it('treats discovery and other paths as non-resource requests with the method as verb', () => {
    for (const path of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v3']) {
      expect(requestAttributes('GET', path, q())).toMatchObject({ resourceRequest: false, verb: 'get', path });
    }
  });
});

describe('rules', () => {
  const attrs = (method: string, path: string, query = ''): ReturnType<typeof requestAttributes> => requestAttributes(method, path, q(query));
  it('matches verbs, groups, resources, subresources and names like the real authorizer', () => {
    const pods: PolicyRule = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] };
    expect(ruleAllows(attrs('GET', '/api/v1/namespaces/a/pods'), pods)).toBe(true);
    expect(ruleAllows(attrs('GET', '/api/v1/namespaces/a/pods/p/log'), pods)).toBe(false);
    expect(ruleAllows(attrs('GET', '/api/v1/namespaces/a/pods/p/log'), { ...pods, resources: ['pods/log'] })).toBe(true);
    expect(ruleAllows(attrs('GET', '/apis/apps/v1/namespaces/a/deployments/d/scale'), { apiGroups: ['apps'], resources: ['*/scale'], verbs: ['get'] })).toBe(
      true,
    );
    expect(ruleAllows(attrs('GET', '/api/v1/namespaces/a/pods/p/log'), { apiGroups: [''], resources: ['pods/*'], verbs: ['get'] })).toBe(false);
    expect(ruleAllows(attrs('DELETE', '/api/v1/namespaces/a/pods/p'), { apiGroups: ['*'], resources: ['*'], verbs: ['*'] })).toBe(true);
    const named: PolicyRule = { apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'], verbs: ['get', 'list', 'update'] };
    expect(ruleAllows(attrs('GET', '/api/v1/namespaces/a/configmaps/cfg'), named)).toBe(true);
    expect(ruleAllows(attrs('GET', '/api/v1/namespaces/a/configmaps/other'), named)).toBe(false);
    expect(ruleAllows(attrs('GET', '/api/v1/namespaces/a/configmaps'), named)).toBe(false);
    expect(ruleAllows(attrs('GET', '/api/v1/namespaces/a/configmaps', 'fieldSelector=metadata.name%3Dcfg'), named)).toBe(true);
    expect(ruleAllows(attrs('GET', '/apis/apps/v1'), { nonResourceURLs: ['/apis/*'], verbs: ['get'] })).toBe(true);
    expect(ruleAllows(attrs('POST', '/apis/apps/v1'), { nonResourceURLs: ['/apis/*'], verbs: ['get'] })).toBe(false);
  });

  it('binds roles to users, groups and service accounts, namespaced or cluster-wide, and names the grant', () => {
    const role = (rules: PolicyRule[]): Obj => ({ rules });
    const objects: RbacObjects = {
      clusterRoleBindings: () => [
        {
          metadata: { name: 'readers' },
          roleRef: { kind: 'ClusterRole', name: 'read-pods' },
          subjects: [{ kind: 'Group', name: 'system:serviceaccounts:ops' }],
        },
      ],
      roleBindings: (ns) =>
        ns === 'app'
          ? [
              { metadata: { name: 'writer' }, roleRef: { kind: 'Role', name: 'write-cm' }, subjects: [{ kind: 'ServiceAccount', name: 'agent' }] },
              { metadata: { name: 'dangling' }, roleRef: { kind: 'Role', name: 'gone' }, subjects: [{ kind: 'ServiceAccount', name: 'agent' }] },
            ]
          : [],
      clusterRole: (name) => (name === 'read-pods' ? role([{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]) : undefined),
      role: (ns, name) => (ns === 'app' && name === 'write-cm' ? role([{ apiGroups: [''], resources: ['configmaps'], verbs: ['create'] }]) : undefined),
    };
    const agent = serviceAccountUser('app', 'agent');
    const ops = serviceAccountUser('ops', 'bot');
    expect(authorize(objects, agent, requestAttributes('POST', '/api/v1/namespaces/app/configmaps', q()))).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "writer/app" of Role "write-cm" to ServiceAccount "agent/app"',
    });
    expect(authorize(objects, agent, requestAttributes('POST', '/api/v1/namespaces/other/configmaps', q()))).toEqual({ allowed: false, reason: '' });
    expect(authorize(objects, agent, requestAttributes('DELETE', '/api/v1/namespaces/app/configmaps/x', q()))).toEqual({
      allowed: false,
      reason: 'RBAC: role.rbac.authorization.k8s.io "gone" not found',
    });
    expect(authorize(objects, ops, requestAttributes('GET', '/api/v1/pods', q())).reason).toBe(
      'RBAC: allowed by ClusterRoleBinding "readers" of ClusterRole "read-pods" to Group "system:serviceaccounts:ops"',
    );
    expect(authorize(objects, { username: 'root', groups: ['system:masters'] }, requestAttributes('DELETE', '/api/v1/nodes/n', q())).allowed).toBe(true);
  });

  it('words a 403 like the API server', () => {
    const user = serviceAccountUser('outpost-system', 'outpost-web');
    const msg = (method: string, path: string): string => forbiddenMessage(user, requestAttributes(method, path, q()), '');
    expect(msg('DELETE', '/api/v1/namespaces/ns/pods/p')).toBe(
      'pods "p" is forbidden: User "system:serviceaccount:outpost-system:outpost-web" cannot delete resource "pods" in API group "" in the namespace "ns"',
    );
    expect(msg('PATCH', '/apis/apps/v1/namespaces/ns/deployments/d')).toBe(
      'deployments.apps "d" is forbidden: User "system:serviceaccount:outpost-system:outpost-web" cannot patch resource "deployments" in API group "apps" in the namespace "ns"',
    );
    expect(msg('GET', '/api/v1/secrets')).toBe(
      'secrets is forbidden: User "system:serviceaccount:outpost-system:outpost-web" cannot list resource "secrets" in API group "" at the cluster scope',
    );
    expect(msg('POST', '/api/v1/namespaces/ns/pods/p/exec')).toBe(
      'pods "p" is forbidden: User "system:serviceaccount:outpost-system:outpost-web" cannot create resource "pods/exec" in API group "" in the namespace "ns"',
    );
    expect(msg('GET', '/logs')).toBe('forbidden: User "system:serviceaccount:outpost-system:outpost-web" cannot get path "/logs"');
  });
});

describe('escalation', () => {
  const owner: PolicyRule[] = [
    { apiGroups: [''], resources: ['configmaps', 'pods/log'], verbs: ['get', 'list'] },
    { apiGroups: ['apps'], resources: ['*/scale'], verbs: ['get'] },
  ];
  it('breaks rules down and finds what the owner does not hold', () => {
    expect(breakdown({ apiGroups: ['', 'apps'], resources: ['a'], resourceNames: ['x', 'y'], verbs: ['get'] })).toHaveLength(4);
    expect(missingRules(owner, [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }])).toEqual([]);
    expect(missingRules(owner, [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['c'], verbs: ['list'] }])).toEqual([]);
    expect(missingRules(owner, [{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get'] }])).toEqual([]);
    expect(missingRules(owner, [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }])).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['*'] },
    ]);
    expect(missingRules(owner, [{ apiGroups: ['*'], resources: ['configmaps'], verbs: ['get'] }])).toHaveLength(1);
  });

  it('words the refusal like the API server', () => {
    const missing = missingRules(owner, [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'delete', 'update'] }]);
    expect(compactString({ apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['d'], verbs: ['get'] })).toBe(
      '{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["d"], Verbs:["get"]}',
    );
    expect(escalationMessage(serviceAccountUser('s', 'a'), missing)).toBe(
      'user "system:serviceaccount:s:a" (groups=["system:serviceaccounts" "system:serviceaccounts:s" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["configmaps"], Verbs:["delete" "update"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete" "update"]}',
    );
  });
});
