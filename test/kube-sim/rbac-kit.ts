// Test helpers for RBAC: requests as a bearer token, the served resources from discovery, and the
// access matrix of a token (every resource and subresource × verb, asked with
// SelfSubjectAccessReview, so the check is the server's own authorizer and not a copy of it).
import type { KubeSim } from './index.ts';
import type { Obj } from './types.ts';

export const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** Subresources worth asking about even though the sim does not serve them all. */
export const SENSITIVE_SUBRESOURCES = [
  'pods/exec',
  'pods/attach',
  'pods/portforward',
  'pods/eviction',
  'pods/ephemeralcontainers',
  'nodes/proxy',
  'services/proxy',
  'serviceaccounts/token',
];

export async function as(
  sim: KubeSim,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  type = 'application/json',
): Promise<{ status: number; json: Obj }> {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(sim.url.replace('https:', 'http:') + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body: text,
    signal: AbortSignal.timeout(5000),
  });
  const raw = await res.text();
  try {
    return { status: res.status, json: JSON.parse(raw) as Obj };
  } catch {
    return { status: res.status, json: { raw } }; // a watch stream (JSON lines) or plain text
  }
}

export interface Served {
  group: string;
  version: string;
  /** `pods`, `pods/log`, … */
  resource: string;
  namespaced: boolean;
  verbs: string[];
}

/** Every resource and subresource the sim serves, from its discovery documents. */
export async function served(sim: KubeSim, token: string): Promise<Served[]> {
  const out: Served[] = [];
  const lists: { group: string; version: string; path: string }[] = [{ group: '', version: 'v1', path: '/api/v1' }];
  for (const g of (await as(sim, token, 'GET', '/apis')).json.groups as Obj[])
    lists.push({ group: g.name, version: g.preferredVersion.version, path: `/apis/${g.preferredVersion.groupVersion}` });
  for (const l of lists) {
    for (const r of (await as(sim, token, 'GET', l.path)).json.resources as Obj[])
      out.push({ group: l.group, version: l.version, resource: r.name, namespaced: r.namespaced, verbs: r.verbs });
  }
  return out;
}

/** Sorted `group/resource: verbs` lines of everything `token` may do in `namespace`. */
export async function accessMatrix(sim: KubeSim, token: string, namespace: string, extra: string[] = SENSITIVE_SUBRESOURCES): Promise<string[]> {
  const resources = new Map<string, { group: string; resource: string }>();
  for (const r of await served(sim, token)) resources.set(`${r.group}/${r.resource}`, r);
  for (const sub of extra) resources.set(`/${sub}`, { group: '', resource: sub });
  const lines: string[] = [];
  const ask = async (r: { group: string; resource: string }, verb: string): Promise<boolean> => {
    const [resource = '', subresource = ''] = r.resource.split('/');
    const spec = { resourceAttributes: { namespace, verb, group: r.group, resource, subresource } };
    const review = await as(sim, token, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec,
    });
    return review.json.status?.allowed === true;
  };
  for (const [key, r] of resources) {
    const answers = await Promise.all(VERBS.map((verb) => ask(r, verb)));
    const allowed = VERBS.filter((_, i) => answers[i]);
    if (allowed.length) lines.push(`${key}: ${allowed.join(',')}`);
  }
  return lines.sort();
}
