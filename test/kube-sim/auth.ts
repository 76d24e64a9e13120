// Authentication: who a request is. No Authorization header, or the admin token, is the admin
// (system:masters, like k3s's admin kubeconfig); a bearer token the sim minted for a
// ServiceAccount (TokenRequest or a legacy token Secret) is that account, checked against the
// store (signature, expiry, audience, the account and any bound object still existing); any
// other credential is 401. Impersonation headers are honoured when RBAC allows `impersonate`.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Api } from './api.ts';
import { forbiddenMessage, MASTERS, SA_PREFIX, serviceAccountUser, type Decision, type UserInfo } from './rbac.ts';
import type { RequestAttributes } from './request-info.ts';
import { ApiError, type Obj } from './types.ts';

export const ADMIN_TOKEN = 'kube-sim-admin';
export const ADMIN_USER: UserInfo = { username: 'system:admin', groups: [MASTERS, 'system:authenticated'] };
/** The audiences a k3s API server accepts (`--api-audiences`). */
export const API_AUDIENCES = ['https://kubernetes.default.svc.cluster.local', 'k3s'];
const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export interface MintOptions {
  expirationSeconds?: number;
  audiences?: string[];
  /** A Pod or Secret the token dies with. */
  boundObjectRef?: { kind: string; apiVersion?: string; name: string; uid?: string };
}

const b64 = (value: Obj | Buffer): string => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

export const unauthorized = (): ApiError => new ApiError(401, 'Unauthorized', 'Unauthorized');

export class Authenticator {
  #key = randomBytes(32);
  #api: Api;

  constructor(api: Api) {
    this.#api = api;
  }

  #sign(claims: Obj): string {
    const head = `${b64({ alg: 'HS256', kid: 'kube-sim' })}.${b64(claims)}`;
    return `${head}.${b64(createHmac('sha256', this.#key).update(head).digest())}`;
  }

  #serviceAccount(namespace: string, name: string): Obj {
    const sa = this.#api.find(this.#api.info('v1', 'ServiceAccount'), namespace, name);
    if (!sa) throw new ApiError(404, 'NotFound', `serviceaccounts "${name}" not found`, { name, kind: 'serviceaccounts' });
    return sa;
  }

  /** A bound token for ServiceAccount namespace/name (what TokenRequest returns). */
  mint(namespace: string, name: string, options: MintOptions = {}): { token: string; expirationTimestamp: string } {
    const sa = this.#serviceAccount(namespace, name);
    const now = Math.floor(this.#api.store.now().getTime() / 1000);
    const exp = now + (options.expirationSeconds ?? 3600);
    const bound = options.boundObjectRef;
    const claims = {
      aud: options.audiences?.length ? options.audiences : API_AUDIENCES,
      exp,
      iat: now,
      iss: ISSUER,
      jti: randomUUID(),
      'kubernetes.io': {
        namespace,
        serviceaccount: { name, uid: sa.metadata.uid },
        ...(bound ? { [bound.kind.toLowerCase()]: { name: bound.name, uid: bound.uid } } : {}),
      },
      nbf: now,
      sub: `${SA_PREFIX}${namespace}:${name}`,
    };
    return { token: this.#sign(claims), expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  }

  /** A legacy, non-expiring token for a `kubernetes.io/service-account-token` Secret. */
  mintLegacy(secret: Obj, sa: Obj): string {
    return this.#sign({
      iss: LEGACY_ISSUER,
      'kubernetes.io/serviceaccount/namespace': secret.metadata.namespace,
      'kubernetes.io/serviceaccount/secret.name': secret.metadata.name,
      'kubernetes.io/serviceaccount/service-account.name': sa.metadata.name,
      'kubernetes.io/serviceaccount/service-account.uid': sa.metadata.uid,
      sub: `${SA_PREFIX}${secret.metadata.namespace}:${sa.metadata.name}`,
    });
  }

  /** The user of a bearer token, or undefined when the sim did not issue it or it is no longer valid. */
  verify(token: string): UserInfo | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = createHmac('sha256', this.#key).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2] ?? '', 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: Obj;
    try {
      claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as Obj;
    } catch {
      return undefined;
    }
    const find = (apiVersion: string, kind: string, ns: string, name: string): Obj | undefined => this.#api.find(this.#api.info(apiVersion, kind), ns, name);
    if (claims.iss === LEGACY_ISSUER) {
      const ns = String(claims['kubernetes.io/serviceaccount/namespace']);
      const secret = find('v1', 'Secret', ns, String(claims['kubernetes.io/serviceaccount/secret.name']));
      const sa = find('v1', 'ServiceAccount', ns, String(claims['kubernetes.io/serviceaccount/service-account.name']));
      if (!secret || !sa || sa.metadata.uid !== claims['kubernetes.io/serviceaccount/service-account.uid']) return undefined;
      return serviceAccountUser(ns, sa.metadata.name, sa.metadata.uid);
    }
    const now = this.#api.store.now().getTime() / 1000;
    const aud: string[] = Array.isArray(claims.aud) ? claims.aud : [];
    if (claims.iss !== ISSUER || !(Number(claims.exp) > now) || !aud.some((a) => API_AUDIENCES.includes(a))) return undefined;
    const k8s: Obj = claims['kubernetes.io'] ?? {};
    const ns = String(k8s.namespace);
    const sa = find('v1', 'ServiceAccount', ns, String(k8s.serviceaccount?.name));
    if (!sa || sa.metadata.uid !== k8s.serviceaccount?.uid) return undefined;
    for (const kind of ['Pod', 'Secret']) {
      const ref = k8s[kind.toLowerCase()];
      if (ref && find('v1', kind, ns, String(ref.name))?.metadata.uid !== ref.uid) return undefined;
    }
    return { ...serviceAccountUser(ns, sa.metadata.name, sa.metadata.uid), extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] } };
  }

  authenticate(headers: IncomingHttpHeaders): UserInfo {
    const header = headers.authorization;
    if (header === undefined) return ADMIN_USER;
    const m = /^bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) throw unauthorized();
    if (m[1] === ADMIN_TOKEN) return ADMIN_USER;
    const user = this.verify(m[1]);
    if (!user) throw unauthorized();
    return user;
  }
}

const IMPERSONATE = { resourceRequest: true, verb: 'impersonate', path: '', apiGroup: '', apiVersion: 'v1', namespace: '', subresource: '', name: '' };

/** Applies `Impersonate-User`/`-Group`/`-Uid` headers; each one must be allowed for `user` by `decide`. */
export function impersonate(
  user: UserInfo,
  headers: Record<string, string[] | undefined>,
  decide: (user: UserInfo, attrs: RequestAttributes) => Decision,
): UserInfo {
  const target = headers['impersonate-user']?.[0];
  const groups = headers['impersonate-group'] ?? [];
  const uid = headers['impersonate-uid']?.[0];
  if (target === undefined) {
    if (groups.length || uid)
      throw new ApiError(500, 'InternalError', 'Internal error occurred: requested impersonation of groups or uid without impersonating a user');
    return user;
  }
  const check = (attrs: RequestAttributes): void => {
    const decision = decide(user, attrs);
    if (!decision.allowed) throw new ApiError(403, 'Forbidden', forbiddenMessage(user, attrs, decision.reason), { name: attrs.name, kind: attrs.resource });
  };
  let next: UserInfo;
  const sa = target.startsWith(SA_PREFIX) ? target.slice(SA_PREFIX.length).split(':') : undefined;
  if (sa && sa.length === 2) {
    check({ ...IMPERSONATE, resource: 'serviceaccounts', namespace: sa[0] ?? '', name: sa[1] ?? '' });
    next = groups.length ? { username: target, groups: [...groups] } : serviceAccountUser(sa[0] ?? '', sa[1] ?? '');
  } else {
    check({ ...IMPERSONATE, resource: 'users', name: target });
    next = { username: target, groups: [...groups] };
  }
  for (const group of groups) check({ ...IMPERSONATE, resource: 'groups', name: group });
  if (uid) {
    check({ ...IMPERSONATE, apiGroup: 'authentication.k8s.io', resource: 'uids', name: uid });
    next.uid = uid;
  }
  if (target !== 'system:anonymous' && !next.groups.some((g) => g === 'system:authenticated' || g === 'system:unauthenticated'))
    next.groups.push('system:authenticated');
  return next;
}
