// Create-only review kinds and the TokenRequest subresource: access reviews answered by the RBAC
// authorizer for the requesting (or named) user, rules reviews, whoami, token reviews, and
// tokens minted for a ServiceAccount (`kubectl create token`). Nothing here is stored.
import type { Api } from './api.ts';
import type { Authenticator } from './auth.ts';
import { authorize, grantsFor, type UserInfo } from './rbac.ts';
import { rbacObjects } from './rbac-store.ts';
import type { RequestAttributes } from './request-info.ts';
import type { ResourceInfo } from './resources.ts';
import { badRequest, invalid, isPlainObject, type Obj } from './types.ts';

function attributesOf(spec: Obj, namespace = ''): RequestAttributes {
  const r: Obj | undefined = spec.resourceAttributes;
  if (r) {
    return {
      resourceRequest: true,
      verb: String(r.verb ?? ''),
      path: '',
      apiGroup: String(r.group ?? ''),
      apiVersion: String(r.version ?? ''),
      namespace: namespace || String(r.namespace ?? ''),
      resource: String(r.resource ?? ''),
      subresource: String(r.subresource ?? ''),
      name: String(r.name ?? ''),
    };
  }
  const n: Obj = spec.nonResourceAttributes ?? {};
  return {
    resourceRequest: false,
    verb: String(n.verb ?? ''),
    path: String(n.path ?? ''),
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };
}

function accessStatus(api: Api, user: UserInfo, attrs: RequestAttributes): Obj {
  const decision = authorize(rbacObjects(api), user, attrs);
  return { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
}

function rulesReview(api: Api, user: UserInfo, namespace: string): Obj {
  const { grants, errors } = grantsFor(rbacObjects(api), user, namespace);
  const rules = grants.flatMap((g) => g.rules);
  const resourceRules = rules
    .filter((r) => r.resources?.length)
    .map((r) => ({
      verbs: r.verbs,
      apiGroups: r.apiGroups ?? [],
      resources: r.resources,
      ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
    }));
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  return { resourceRules, nonResourceRules, incomplete: errors.length > 0, ...(errors.length ? { evaluationError: errors.join(', ') } : {}) };
}

function userOfSpec(spec: Obj): UserInfo {
  return {
    username: String(spec.user ?? ''),
    groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [],
    ...(spec.uid ? { uid: String(spec.uid) } : {}),
  };
}

/** Answers a POST of a review kind for `user`; returns the response object (201). */
export function review(api: Api, auth: Authenticator, info: ResourceInfo, namespace: string | undefined, user: UserInfo, body: unknown): Obj {
  if (!isPlainObject(body)) throw badRequest('the request body must be a JSON or YAML object');
  const spec: Obj = isPlainObject(body.spec) ? body.spec : {};
  const out = (status: Obj): Obj => ({
    kind: info.kind,
    apiVersion: `${info.group}/v1`,
    metadata: { ...(body.metadata ?? {}), creationTimestamp: null },
    spec,
    status,
  });
  switch (info.kind) {
    case 'SelfSubjectAccessReview':
      return out(accessStatus(api, user, attributesOf(spec)));
    case 'SubjectAccessReview':
    case 'LocalSubjectAccessReview': {
      if (info.kind === 'LocalSubjectAccessReview' && spec.resourceAttributes?.namespace && spec.resourceAttributes.namespace !== namespace) {
        throw invalid(
          info.kind,
          '',
          'spec.resourceAttributes.namespace',
          `Invalid value: "${spec.resourceAttributes.namespace}": must match metadata.namespace`,
          info.group,
        );
      }
      return out(accessStatus(api, userOfSpec(spec), attributesOf(spec, namespace)));
    }
    case 'SelfSubjectRulesReview':
      return out(rulesReview(api, user, String(spec.namespace ?? '')));
    case 'SelfSubjectReview':
      return {
        ...out({
          userInfo: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) },
        }),
        spec: undefined,
      };
    case 'TokenReview': {
      const found = auth.verify(String(spec.token ?? ''));
      if (!found) return out({ authenticated: false, error: 'invalid bearer token' });
      return out({
        authenticated: true,
        user: { username: found.username, uid: found.uid, groups: found.groups, ...(found.extra ? { extra: found.extra } : {}) },
        audiences: spec.audiences ?? [],
      });
    }
  }
  throw badRequest(`kube-sim does not answer ${info.kind}`);
}

/** POST serviceaccounts/<name>/token: a TokenRequest answered with a freshly minted token. */
export function tokenRequest(auth: Authenticator, namespace: string, name: string, body: unknown): Obj {
  const request: Obj = isPlainObject(body) ? body : {};
  const spec: Obj = isPlainObject(request.spec) ? request.spec : {};
  const seconds = spec.expirationSeconds === undefined || spec.expirationSeconds === null ? 3600 : Number(spec.expirationSeconds);
  const fail = (message: string): never => {
    throw invalid('TokenRequest', name, 'spec.expirationSeconds', `Invalid value: ${seconds}: ${message}`, 'authentication.k8s.io');
  };
  if (!Number.isInteger(seconds) || seconds < 600) fail('may not specify a duration less than 10 minutes');
  if (seconds > 2 ** 32) fail('may not specify a duration larger than 2^32 seconds');
  const audiences: string[] = Array.isArray(spec.audiences) ? spec.audiences.map(String) : [];
  const bound: Obj | undefined = isPlainObject(spec.boundObjectRef) ? spec.boundObjectRef : undefined;
  const minted = auth.mint(namespace, name, {
    expirationSeconds: seconds,
    audiences,
    ...(bound ? { boundObjectRef: { kind: String(bound.kind), name: String(bound.name), uid: bound.uid } } : {}),
  });
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec: {
      audiences: audiences.length ? audiences : ['https://kubernetes.default.svc.cluster.local', 'k3s'],
      expirationSeconds: seconds,
      boundObjectRef: bound ?? null,
    },
    status: minted,
  };
}
