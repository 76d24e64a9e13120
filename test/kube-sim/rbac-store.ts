// RBAC over the store: the authorizer's view of Roles and bindings, the guard that refuses RBAC
// writes granting more than the writer holds (escalate/bind aside), and the ClusterRole
// aggregation controller. The bootstrap policy is in bootstrap.ts.
import type { Api } from './api.ts';
import { authorize, grantsFor, MASTERS, type PolicyRule, type RbacObjects, type UserInfo } from './rbac.ts';
import { escalationMessage, missingRules } from './rbac-escalation.ts';
import type { RequestAttributes } from './request-info.ts';
import { storageKey, type ResourceInfo } from './resources.ts';
import { fromLabelSelector, matches } from './selectors.ts';
import { ApiError, deepEqual, type KObject, type Obj } from './types.ts';

const GROUP = 'rbac.authorization.k8s.io';

export function rbacObjects(api: Api): RbacObjects {
  const list = (plural: string, ns?: string): Obj[] => api.store.list(`${GROUP}/${plural}`, ns, true);
  return {
    clusterRoleBindings: () => list('clusterrolebindings'),
    roleBindings: (ns) => list('rolebindings', ns),
    clusterRole: (name) => api.store.peek(`${GROUP}/clusterroles`, undefined, name),
    role: (ns, name) => api.store.peek(`${GROUP}/roles`, ns, name),
  };
}

export const decide = (api: Api) => (user: UserInfo, attrs: RequestAttributes) => authorize(rbacObjects(api), user, attrs);

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

const forbidden = (info: ResourceInfo, name: string, message: string): ApiError =>
  new ApiError(403, 'Forbidden', `${info.plural}.${GROUP} "${name}" is forbidden: ${message}`, { name, group: GROUP, kind: info.plural });

/** True when only the fields the garbage collector touches changed (the real guard skips those). */
function onlyGcFields(before: Obj | undefined, after: Obj): boolean {
  if (!before) return false;
  const strip = (o: Obj): Obj => ({
    ...o,
    metadata: { ...o.metadata, ownerReferences: undefined, finalizers: undefined, resourceVersion: undefined, managedFields: undefined },
  });
  return deepEqual(JSON.parse(JSON.stringify(strip(before))), JSON.parse(JSON.stringify(strip(after))));
}

/** Refuses (403) a Role/ClusterRole/binding write that would grant `user` more than it holds. */
export function guardRbacWrite(api: Api, info: ResourceInfo, obj: KObject, before: KObject | undefined, user: UserInfo | undefined): void {
  if (info.group !== GROUP || !user || user.groups.includes(MASTERS) || onlyGcFields(before, obj)) return;
  const objects = rbacObjects(api);
  const name = String(obj.metadata.name);
  const ns = info.namespaced ? String(obj.metadata.namespace ?? '') : '';
  const allowed = (verb: string, resource: string, target: string): boolean =>
    authorize(objects, user, {
      resourceRequest: true,
      verb,
      path: '',
      apiGroup: GROUP,
      apiVersion: 'v1',
      namespace: ns,
      resource,
      subresource: '',
      name: target,
    }).allowed;
  const held = grantsFor(objects, user, ns);
  const owner = held.grants.flatMap((g) => g.rules);
  const refuseMissing = (rules: PolicyRule[]): void => {
    const missing = missingRules(owner, rules);
    if (missing.length) throw forbidden(info, name, escalationMessage(user, missing, held.errors));
  };
  if (info.kind === 'Role' || info.kind === 'ClusterRole') {
    if (allowed('escalate', info.plural, name)) return;
    refuseMissing((obj.rules ?? []) as PolicyRule[]);
    if (info.kind === 'ClusterRole' && (obj.aggregationRule || before?.aggregationRule) && missingRules(owner, FULL_AUTHORITY).length) {
      throw forbidden(info, name, 'must have cluster-admin privileges to use the aggregationRule');
    }
    return;
  }
  const ref: Obj = obj.roleRef ?? {};
  if (allowed('bind', ref.kind === 'Role' ? 'roles' : 'clusterroles', String(ref.name))) return;
  const role = ref.kind === 'Role' ? objects.role(ns, String(ref.name)) : objects.clusterRole(String(ref.name));
  if (!role) throw forbidden(info, name, `${String(ref.kind).toLowerCase()}.${GROUP} "${ref.name}" not found`);
  refuseMissing((role.rules ?? []) as PolicyRule[]);
}

/** The clusterrole-aggregation controller: a ClusterRole with an aggregationRule gets the union of the rules it selects. */
export function aggregateClusterRoles(api: Api): void {
  const info = api.info(`${GROUP}/v1`, 'ClusterRole');
  const roles = api.store.list(storageKey(info), undefined, true);
  for (const role of roles) {
    const selectors: Obj[] = role.aggregationRule?.clusterRoleSelectors ?? [];
    if (!role.aggregationRule) continue;
    const rules: PolicyRule[] = [];
    for (const other of roles) {
      if (other === role || !selectors.some((s) => matches(fromLabelSelector(s), other.metadata.labels ?? {}))) continue;
      for (const rule of (other.rules ?? []) as PolicyRule[]) if (!rules.some((r) => deepEqual(r, rule))) rules.push(rule);
    }
    if (!deepEqual(role.rules ?? [], rules)) api.writeObject(info, { ...role, rules });
  }
}
