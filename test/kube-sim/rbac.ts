// The RBAC authorizer (pure), ported from the API server's rbac plugin: bindings select the
// subjects, roles give rules, a rule allows a request by verb, API group, resource (with the
// `*` and `*/subresource` forms), resource name, or non-resource URL (`/path/*` prefixes).
// `system:masters` is allowed everything before RBAC is asked, as the real server does.
import type { RequestAttributes } from './request-info.ts';
import type { Obj } from './types.ts';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** Read access to the RBAC objects (the store behind it is the caller's business). */
export interface RbacObjects {
  clusterRoleBindings(): Obj[];
  roleBindings(namespace: string): Obj[];
  clusterRole(name: string): Obj | undefined;
  role(namespace: string, name: string): Obj | undefined;
}

export const MASTERS = 'system:masters';

export const SA_PREFIX = 'system:serviceaccount:';

export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  return {
    username: `${SA_PREFIX}${namespace}:${name}`,
    ...(uid ? { uid } : {}),
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

const has = (list: string[] | undefined, value: string): boolean => (list ?? []).includes(value);

export function ruleAllows(attrs: RequestAttributes, rule: PolicyRule): boolean {
  const verbOk = has(rule.verbs, '*') || has(rule.verbs, attrs.verb);
  if (!attrs.resourceRequest) {
    return (
      verbOk && (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === attrs.path || (u.endsWith('*') && attrs.path.startsWith(u.replace(/\*+$/, ''))))
    );
  }
  const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const groupOk = has(rule.apiGroups, '*') || has(rule.apiGroups, attrs.apiGroup);
  const resourceOk = (rule.resources ?? []).some((r) => r === '*' || r === combined || (attrs.subresource !== '' && r === `*/${attrs.subresource}`));
  const names = rule.resourceNames ?? [];
  return verbOk && groupOk && resourceOk && (names.length === 0 || names.includes(attrs.name));
}

function subjectApplies(user: UserInfo, subject: Obj, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.username === subject.name;
    case 'Group':
      return user.groups.includes(String(subject.name));
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      return ns !== '' && user.username === `${SA_PREFIX}${ns}:${subject.name}`;
    }
    default:
      return false;
  }
}

function describeSubject(subject: Obj, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') return `${subject.kind} "${subject.name}/${subject.namespace || bindingNamespace}"`;
  return `${subject.kind} "${subject.name}"`;
}

export interface Grant {
  rules: PolicyRule[];
  /** `ClusterRoleBinding "b" of ClusterRole "r" to User "u"` (the authorizer's allow reason). */
  source: string;
}

/**
 * Every rule that applies to `user` in `namespace` ('' = cluster scope only), with where it
 * comes from, and the resolution errors (bindings to roles that do not exist).
 */
export function grantsFor(objects: RbacObjects, user: UserInfo, namespace: string): { grants: Grant[]; errors: string[] } {
  const grants: Grant[] = [];
  const errors: string[] = [];
  const resolve = (binding: Obj, bindingNamespace: string, label: string): void => {
    const subject = ((binding.subjects ?? []) as Obj[]).find((s) => subjectApplies(user, s, bindingNamespace));
    if (!subject) return;
    const ref: Obj = binding.roleRef ?? {};
    const role =
      ref.kind === 'Role' ? objects.role(bindingNamespace, String(ref.name)) : ref.kind === 'ClusterRole' ? objects.clusterRole(String(ref.name)) : undefined;
    if (!role) {
      errors.push(`${String(ref.kind).toLowerCase()}.rbac.authorization.k8s.io "${ref.name}" not found`);
      return;
    }
    grants.push({
      rules: (role.rules ?? []) as PolicyRule[],
      source: `${label} of ${ref.kind} "${ref.name}" to ${describeSubject(subject, bindingNamespace)}`,
    });
  };
  for (const crb of objects.clusterRoleBindings()) resolve(crb, '', `ClusterRoleBinding "${crb.metadata?.name}"`);
  if (namespace) for (const rb of objects.roleBindings(namespace)) resolve(rb, namespace, `RoleBinding "${rb.metadata?.name}/${namespace}"`);
  return { grants, errors };
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

export function authorize(objects: RbacObjects, user: UserInfo, attrs: RequestAttributes): Decision {
  if (user.groups.includes(MASTERS)) return { allowed: true, reason: '' };
  const { grants, errors } = grantsFor(objects, user, attrs.namespace);
  for (const grant of grants) if (grant.rules.some((rule) => ruleAllows(attrs, rule))) return { allowed: true, reason: `RBAC: allowed by ${grant.source}` };
  const aggregate = errors.length === 0 ? '' : errors.length === 1 ? String(errors[0]) : `[${errors.join(', ')}]`;
  return { allowed: false, reason: aggregate ? `RBAC: ${aggregate}` : '' };
}

/** The 403 message of the API server's authorization filter (`forbiddenMessage` + NewForbidden). */
export function forbiddenMessage(user: UserInfo, attrs: RequestAttributes, reason: string): string {
  const tail = reason ? `: ${reason}` : '';
  if (!attrs.resourceRequest) return `forbidden: User "${user.username}" cannot ${attrs.verb} path "${attrs.path}"${tail}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  const what = `User "${user.username}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup}" ${scope}${tail}`;
  const qualified = attrs.apiGroup ? `${attrs.resource}.${attrs.apiGroup}` : attrs.resource;
  return attrs.name ? `${qualified} "${attrs.name}" is forbidden: ${what}` : `${qualified} is forbidden: ${what}`;
}
