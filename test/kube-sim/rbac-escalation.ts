// RBAC escalation prevention (pure), ported from the API server's rbac validation: a user may
// write a Role/ClusterRole, or bind one, only if it already holds every permission in it —
// unless it has `escalate` (roles) or `bind` (bindings) on that role, or is in system:masters.
// Rules are broken down into single (group, resource, name, verb) rules and each must be covered.
import type { PolicyRule, UserInfo } from './rbac.ts';

const has = (list: string[] | undefined, value: string): boolean => (list ?? []).includes(value);
const hasAll = (list: string[] | undefined, values: string[] | undefined): boolean => (values ?? []).every((v) => has(list, v));

/** One rule per (group, resource, resourceName, verb), or per (URL, verb). */
export function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
      for (const name of names)
        for (const verb of rule.verbs)
          out.push({ apiGroups: [group], resources: [resource], ...(name !== undefined ? { resourceNames: [name] } : {}), verbs: [verb] });
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function resourcesCover(owner: string[] | undefined, wanted: string[] | undefined): boolean {
  if (has(owner, '*') || hasAll(owner, wanted)) return true;
  return (wanted ?? []).every((path) => {
    if (has(owner, path)) return true;
    const slash = path.indexOf('/');
    return slash >= 0 && has(owner, `*/${path.slice(slash + 1)}`);
  });
}

function urlsCover(owner: string[] | undefined, wanted: string[] | undefined): boolean {
  return (wanted ?? []).every((url) => (owner ?? []).some((o) => o === url || (o.endsWith('*') && url.startsWith(o.replace(/\*+$/, '')))));
}

export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups);
  const names = !sub.resourceNames?.length ? !owner.resourceNames?.length : !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resourcesCover(owner.resources, sub.resources) && names && urlsCover(owner.nonResourceURLs, sub.nonResourceURLs);
}

/** The broken-down rules of `wanted` that no rule of `owner` covers. */
export function missingRules(owner: PolicyRule[], wanted: PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of wanted) for (const sub of breakdown(rule)) if (!owner.some((o) => ruleCovers(o, sub))) missing.push(sub);
  return missing;
}

const quoted = (list: string[]): string => `[${list.map((v) => JSON.stringify(v)).join(' ')}]`;

/** rbacv1helpers.CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["delete"]}`. */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${quoted(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${quoted(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${quoted(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${quoted(rule.resourceNames)}`);
  if (rule.verbs.length) parts.push(`Verbs:${quoted(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** CompactRules: single-group/resource rules that differ only in their verbs become one rule. */
function compact(rules: PolicyRule[]): PolicyRule[] {
  const byKey = new Map<string, PolicyRule>();
  const out: PolicyRule[] = [];
  for (const rule of rules) {
    if (!rule.resources?.length) {
      out.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups, rule.resources, rule.resourceNames ?? []]);
    const seen = byKey.get(key);
    if (seen) seen.verbs = [...seen.verbs, ...rule.verbs.filter((v) => !seen.verbs.includes(v))];
    else {
      const copy = { ...rule, verbs: [...rule.verbs] };
      byKey.set(key, copy);
      out.push(copy);
    }
  }
  return out;
}

/** ConfirmNoEscalation's message; `resolutionErrors` are the owner's bindings to missing roles. */
export function escalationMessage(user: UserInfo, missing: PolicyRule[], resolutionErrors: string[] = []): string {
  const lines = [...new Set(compact(missing).map(compactString))].sort();
  const groups = `[${user.groups.map((g) => JSON.stringify(g)).join(' ')}]`;
  const tail = resolutionErrors.length ? `; resolution errors: [${resolutionErrors.join(' ')}]` : '';
  return `user "${user.username}" (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}${tail}`;
}
