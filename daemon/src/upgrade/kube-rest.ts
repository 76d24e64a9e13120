// The upgrade engine's generic Kubernetes client over any transport: kinds are found through
// discovery (no fixed list of typed clients, a missing kind is asked for again once, since a CRD may
// just have been established), objects are written with server-side apply (field manager
// `outpost`), every request has a deadline (the transport's).
import type { HttpVerb, KubeTransport } from '../kube/index.ts';
import type { ObjectRef } from '../protocol/upgrade.ts';

export type { HttpVerb, KubeTransport } from '../kube/index.ts';

export type KObj = Record<string, unknown> & { apiVersion?: string; kind?: string; metadata?: Record<string, unknown> & { name?: string; namespace?: string } };

export const FIELD_MANAGER = 'outpost';
const DISCOVERY_TTL_MS = 30_000;

export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly causes: { field?: string; message?: string; type?: string }[];
  constructor(status: number, reason: string, message: string, causes: KubeApiError['causes'] = []) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
    this.causes = causes;
  }
}

export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

export interface ClusterPort {
  readonly server: string;
  /** `/version` gitVersion, e.g. v1.32.5+k3s1. */
  version(): Promise<string>;
  nodes(): Promise<KObj[]>;
  /** Every `apiVersion/Kind` the server serves, with its scope (group lists cached for 30 s). */
  served(): Promise<Map<string, boolean>>;
  get(ref: ObjectRef): Promise<KObj | null>;
  apply(body: KObj, options?: { dryRun?: boolean; force?: boolean }): Promise<KObj>;
  /** A strategic merge patch, as `kubectl rollout restart` sends (field manager `outpost`). */
  strategicPatch(ref: ObjectRef, body: object): Promise<KObj>;
  /** true when deleted, false when it was already gone. */
  remove(ref: ObjectRef): Promise<boolean>;
  list(apiVersion: string, kind: string, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): Promise<KObj[]>;
  podLog(namespace: string, pod: string, container: string, options: { tailLines: number; previous: boolean }): Promise<string>;
}

interface GroupVersionList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

export class RestCluster implements ClusterPort {
  readonly server: string;
  readonly #send: KubeTransport;
  readonly #groupVersions = new Map<string, { at: number; list: GroupVersionList | null }>();

  constructor(send: KubeTransport, server: string) {
    this.#send = send;
    this.server = server;
  }

  async #request(method: HttpVerb, path: string, options: { body?: unknown; contentType?: string; accept?: string } = {}): Promise<string> {
    const response = await this.#send({
      method,
      path,
      accept: options.accept ?? 'application/json',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body), contentType: options.contentType ?? 'application/json' } : {}),
    });
    const text = response.text;
    if (response.status >= 400) {
      let status: { reason?: string; message?: string; details?: { causes?: KubeApiError['causes'] } } = {};
      try {
        status = JSON.parse(text) as typeof status;
      } catch {
        status = { message: text.slice(0, 300) };
      }
      throw new KubeApiError(response.status, status.reason ?? '', status.message ?? `HTTP ${response.status}`, status.details?.causes ?? []);
    }
    return text;
  }

  async #json<T>(method: HttpVerb, path: string, options?: { body?: unknown; contentType?: string }): Promise<T> {
    return JSON.parse(await this.#request(method, path, options)) as T;
  }

  async version(): Promise<string> {
    return (await this.#json<{ gitVersion: string }>('GET', '/version')).gitVersion;
  }

  async nodes(): Promise<KObj[]> {
    return (await this.#json<{ items: KObj[] }>('GET', '/api/v1/nodes')).items;
  }

  async #groupVersion(apiVersion: string, fresh = false): Promise<GroupVersionList | null> {
    const cached = this.#groupVersions.get(apiVersion);
    if (cached && !fresh && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.list;
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let list: GroupVersionList | null;
    try {
      list = await this.#json<GroupVersionList>('GET', path);
    } catch (error) {
      if (!(error instanceof KubeApiError) || error.status !== 404) throw error;
      list = null;
    }
    this.#groupVersions.set(apiVersion, { at: Date.now(), list });
    return list;
  }

  /** The resource serving a kind; asks again once when missing (a CRD may have just been established). */
  async #resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    for (const fresh of [false, true]) {
      const list = await this.#groupVersion(apiVersion, fresh);
      const found = list?.resources?.find((r) => r.kind === kind && !r.name.includes('/'));
      if (found) return { plural: found.name, namespaced: found.namespaced };
    }
    throw new KubeApiError(404, 'NotFound', `the server does not serve ${apiVersion} ${kind}`);
  }

  async #path(ref: ObjectRef, withName = true): Promise<string> {
    const info = await this.#resource(ref.apiVersion, ref.kind);
    const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    const ns = info.namespaced ? `/namespaces/${encodeURIComponent(ref.namespace ?? 'default')}` : '';
    return `${base}${ns}/${info.plural}${withName ? `/${encodeURIComponent(ref.name)}` : ''}`;
  }

  async served(): Promise<Map<string, boolean>> {
    const out = new Map<string, boolean>();
    const groups = await this.#json<{ groups: { versions: { groupVersion: string }[] }[] }>('GET', '/apis');
    const versions = ['v1', ...groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion))];
    const lists = await Promise.all(versions.map(async (gv) => [gv, await this.#groupVersion(gv)] as const));
    for (const [gv, list] of lists) for (const r of list?.resources ?? []) if (!r.name.includes('/')) out.set(`${gv}/${r.kind}`, r.namespaced);
    return out;
  }

  async get(ref: ObjectRef): Promise<KObj | null> {
    try {
      return await this.#json<KObj>('GET', await this.#path(ref));
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return null;
      throw error;
    }
  }

  async apply(body: KObj, options: { dryRun?: boolean; force?: boolean } = {}): Promise<KObj> {
    const meta = body.metadata ?? {};
    const ref = { apiVersion: String(body.apiVersion), kind: String(body.kind), name: String(meta.name), ...(meta.namespace ? { namespace: String(meta.namespace) } : {}) };
    const query = new URLSearchParams({ fieldManager: FIELD_MANAGER, force: String(options.force ?? true) });
    if (options.dryRun) query.set('dryRun', 'All');
    return this.#json<KObj>('PATCH', `${await this.#path(ref)}?${query}`, { body, contentType: 'application/apply-patch+yaml' });
  }

  async strategicPatch(ref: ObjectRef, body: object): Promise<KObj> {
    const query = new URLSearchParams({ fieldManager: FIELD_MANAGER });
    return this.#json<KObj>('PATCH', `${await this.#path(ref)}?${query}`, { body, contentType: 'application/strategic-merge-patch+json' });
  }

  async remove(ref: ObjectRef): Promise<boolean> {
    try {
      await this.#request('DELETE', await this.#path(ref), { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }

  async list(apiVersion: string, kind: string, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): Promise<KObj[]> {
    const query = new URLSearchParams();
    if (labelSelector) query.set('labelSelector', labelSelector);
    if (fieldSelector) query.set('fieldSelector', fieldSelector);
    const path = await this.#path({ apiVersion, kind, name: '', ...(namespace ? { namespace } : {}) }, false);
    const q = query.size > 0 ? `?${query}` : '';
    return (await this.#json<{ items: KObj[] }>('GET', `${path}${q}`)).items;
  }

  async podLog(namespace: string, pod: string, container: string, options: { tailLines: number; previous: boolean }): Promise<string> {
    const query = new URLSearchParams({ container, tailLines: String(options.tailLines), previous: String(options.previous), limitBytes: String(64 * 1024) });
    return this.#request('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log?${query}`, { accept: 'text/plain' });
  }
}
