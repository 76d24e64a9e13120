// API semantics over the store: create/update/patch/delete with the checks and side effects the
// real API server applies (names, namespaces, optimistic concurrency, generation, status
// subresource, managed fields, garbage collection). HTTP and controllers both go through here.
import { admitCreate, admitUpdate, nameProblem } from './admission.ts';
import { recordUpdate, serverSideApply } from './apply.ts';
import { isEstablished, prepareCrd, registerCrd } from './crds.ts';
import { finishDeletion, removeObject } from './deletion.ts';
import { applyDefaults, specOf } from './defaults.ts';
import { jsonPatch, mergePatch, strategicMerge } from './patch.ts';
import type { Registry } from './resources.ts';
import type { UserInfo } from './rbac.ts';
import { groupVersion, storageKey, type ResourceInfo } from './resources.ts';
import { checkFieldSelector, fieldsOf, matches, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { Store } from './store.ts';
import { stamp } from './store.ts';
import {
  alreadyExists,
  badRequest,
  clone,
  conflict,
  deepEqual,
  expired,
  invalid,
  isPlainObject,
  notFound,
  unsupportedMediaType,
  type KObject,
  type Obj,
} from './types.ts';
import { parse as parseYaml } from 'yaml';

export interface WriteOptions {
  manager?: string;
  subresource?: string;
  force?: boolean;
  dryRun?: boolean;
  /** The requesting user (RBAC escalation checks); internal writes have none. */
  user?: UserInfo;
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continue?: string | null;
}

const SUFFIX = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5): string {
  let out = '';
  for (let i = 0; i < n; i++) out += SUFFIX[Math.floor(Math.random() * SUFFIX.length)];
  return out;
}

export class Api {
  readonly store: Store;
  readonly registry: Registry;
  #serviceIp = 10;

  constructor(store: Store, registry: Registry) {
    this.store = store;
    this.registry = registry;
  }

  info(apiVersion: string, kind: string): ResourceInfo {
    const info = this.registry.byKind(apiVersion, kind);
    if (!info) throw badRequest(`no matches for kind "${kind}" in version "${apiVersion}"`);
    return info;
  }

  #out(info: ResourceInfo, obj: KObject): KObject {
    obj.apiVersion = groupVersion(info);
    obj.kind = info.kind;
    return obj;
  }

  get(info: ResourceInfo, namespace: string | undefined, name: string): KObject {
    const obj = this.store.get(storageKey(info), info.namespaced ? namespace : undefined, name);
    if (!obj) throw notFound(info.plural, name, info.group);
    return this.#out(info, obj);
  }

  find(info: ResourceInfo, namespace: string | undefined, name: string): KObject | undefined {
    return this.store.peek(storageKey(info), info.namespaced ? namespace : undefined, name);
  }

  list(info: ResourceInfo, namespace: string | undefined, options: ListOptions = {}): KObject {
    const labels = parseLabelSelector(options.labelSelector);
    const fields = parseFieldSelector(options.fieldSelector);
    if (fields.length) checkFieldSelector(info.kind, fields, { metadata: {} });
    let start = '';
    if (options.continue) {
      let token: Obj;
      try {
        token = JSON.parse(Buffer.from(options.continue, 'base64').toString('utf8')) as Obj;
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
      if (Number(token.rv) < this.store.oldestResumable) {
        throw expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      start = String(token.start ?? '');
    }
    const rv = this.store.resourceVersion;
    const all = this.store
      .list(storageKey(info), info.namespaced ? namespace : undefined, true)
      .filter((o) => matches(labels, o.metadata.labels ?? {}) && matches(fields, fieldsOf(info.kind, o)))
      .filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > start);
    const limit = options.limit && options.limit > 0 ? options.limit : all.length;
    const page = all.slice(0, limit).map((o) => this.#out(info, clone(o)));
    const metadata: Obj = { resourceVersion: String(rv) };
    if (all.length > limit) {
      const last = page[page.length - 1];
      metadata.continue = Buffer.from(JSON.stringify({ rv, start: `${last?.metadata.namespace ?? ''}/${last?.metadata.name}` })).toString('base64');
      metadata.remainingItemCount = all.length - limit;
    }
    return { kind: `${info.kind}List`, apiVersion: groupVersion(info), metadata, items: page };
  }

  create(info: ResourceInfo, namespace: string | undefined, body: unknown, options: WriteOptions = {}): KObject {
    if (!isPlainObject(body)) throw badRequest('the request body must be a JSON or YAML object');
    const obj = clone(body) as KObject;
    if (obj.kind && obj.kind !== info.kind)
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${groupVersion(info)})`);
    obj.metadata = isPlainObject(obj.metadata) ? obj.metadata : {};
    const meta = obj.metadata;
    if (info.namespaced) {
      const ns = namespace ?? meta.namespace;
      if (!ns) throw badRequest('the namespace of the object must be set');
      if (meta.namespace && meta.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = ns;
      if (!this.store.peek('/namespaces', undefined, ns)) throw notFound('namespaces', ns);
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    if (!meta.name) throw invalid(info.kind, '', 'metadata.name', 'Required value: name or generateName is required', info.group);
    const problem = nameProblem(info.kind, info.group, String(meta.name));
    if (problem) throw invalid(info.kind, meta.name, 'metadata.name', `Invalid value: "${meta.name}": ${problem}`, info.group);
    const key = storageKey(info);
    if (this.store.peek(key, meta.namespace, meta.name)) throw alreadyExists(info.plural, meta.name, info.group);
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'selfLink']) delete meta[k];
    this.#out(info, obj);
    meta.generation = 1;
    applyDefaults(info.kind, obj);
    if (info.kind === 'Service' && obj.spec.type !== 'ExternalName' && !obj.spec.clusterIP) {
      const n = this.#serviceIp++;
      obj.spec.clusterIP = `10.43.${Math.floor(n / 250)}.${(n % 250) + 1}`;
      obj.spec.clusterIPs = [obj.spec.clusterIP];
    }
    if (info.kind === 'CustomResourceDefinition') prepareCrd(obj, stamp(this.store.now()));
    admitCreate(this, info, obj, options.user);
    const recorded = (options.manager ? recordUpdate(undefined, obj, options.manager, stamp(this.store.now())) : obj) as KObject;
    if (options.dryRun) return recorded;
    return this.#out(info, this.store.create(key, recorded as KObject));
  }

  /** PUT semantics: replaces the object (or its status), with optimistic concurrency. */
  replace(info: ResourceInfo, namespace: string | undefined, name: string, body: unknown, options: WriteOptions = {}): KObject {
    if (!isPlainObject(body)) throw badRequest('the request body must be a JSON or YAML object');
    const key = storageKey(info);
    const ns = info.namespaced ? namespace : undefined;
    const current = this.store.peek(key, ns, name);
    if (!current) throw notFound(info.plural, name, info.group);
    const incoming = clone(body) as KObject;
    incoming.metadata = isPlainObject(incoming.metadata) ? incoming.metadata : {};
    if (incoming.metadata.name && incoming.metadata.name !== name)
      throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    const rv = incoming.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) throw conflict(info.plural, name, info.group);
    let next: KObject;
    if (options.subresource === 'status') {
      next = clone(current);
      next.status = incoming.status;
    } else {
      next = incoming;
      const m = next.metadata;
      for (const k of ['uid', 'creationTimestamp', 'namespace', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
        if (current.metadata[k] === undefined) delete m[k];
        else m[k] = current.metadata[k];
      }
      m.name = name;
      applyDefaults(info.kind, next);
      if (info.subresources.includes('status')) next.status = clone(current.status);
      m.generation = current.metadata.generation ?? 1;
      if (!deepEqual(specOf(current), specOf({ ...next, metadata: {} }))) m.generation += 1;
      admitUpdate(this, info, this.#out(info, clone(current)), this.#out(info, next), options.user);
    }
    this.#out(info, next);
    if (next.metadata.managedFields === undefined && current.metadata.managedFields) next.metadata.managedFields = clone(current.metadata.managedFields);
    const recorded = options.manager ? (recordUpdate(current, next, options.manager, stamp(this.store.now()), options.subresource) as KObject) : next;
    if (deepEqual(recorded, { ...current, metadata: { ...current.metadata, resourceVersion: recorded.metadata.resourceVersion } }))
      return this.#out(info, clone(current));
    if (options.dryRun) return recorded;
    const saved = this.store.update(key, recorded);
    if (info.kind === 'CustomResourceDefinition' && isEstablished(saved)) registerCrd(this.registry, saved);
    finishDeletion(this, info, saved);
    return this.#out(info, saved);
  }

  patch(info: ResourceInfo, namespace: string | undefined, name: string, contentType: string, raw: string, options: WriteOptions = {}): KObject {
    const type = contentType.split(';')[0]?.trim() ?? '';
    const ns = info.namespaced ? namespace : undefined;
    const current = this.store.peek(storageKey(info), ns, name);
    if (type === 'application/apply-patch+yaml' || type === 'application/apply-patch+json') {
      if (!options.manager) throw badRequest('PATCH, application/apply-patch+yaml requests require a fieldManager');
      let config: unknown;
      try {
        config = parseYaml(raw);
      } catch (error) {
        throw badRequest(`error decoding YAML: ${(error as Error).message}`);
      }
      if (!isPlainObject(config)) throw badRequest('apply patch must be an object');
      if (config.metadata?.name && config.metadata.name !== name) throw badRequest('the name of the object does not match the name on the URL');
      const now = stamp(this.store.now());
      if (!current) {
        const created = serverSideApply(
          undefined,
          { ...config, metadata: { ...config.metadata, name, ...(ns ? { namespace: ns } : {}) } },
          options.manager,
          true,
          now,
        );
        return this.create(info, ns, created, { ...options, manager: undefined });
      }
      const applied = serverSideApply(this.#out(info, clone(current)), config, options.manager, options.force === true, now) as KObject;
      applied.metadata.resourceVersion = current.metadata.resourceVersion;
      return this.replace(info, ns, name, applied, { ...options, manager: undefined });
    }
    if (!current) throw notFound(info.plural, name, info.group);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      try {
        body = parseYaml(raw);
      } catch (error) {
        throw badRequest(`error decoding patch: ${(error as Error).message}`);
      }
    }
    const base = this.#out(info, clone(current));
    let next: unknown;
    if (type === 'application/json-patch+json') next = jsonPatch(base, body);
    else if (type === 'application/merge-patch+json') next = mergePatch(base, body);
    else if (type === 'application/strategic-merge-patch+json') {
      if (info.custom) throw unsupportedMediaType(type);
      next = strategicMerge(base, body);
    } else throw unsupportedMediaType(type);
    if (!isPlainObject(next)) throw badRequest('patch result is not an object');
    const patchedRv = (isPlainObject(body) && isPlainObject(body.metadata) ? body.metadata.resourceVersion : undefined) as string | undefined;
    (next as KObject).metadata.resourceVersion = patchedRv ?? current.metadata.resourceVersion;
    return this.replace(info, ns, name, next, options);
  }

  /** Controllers' status write: no generation bump, no concurrency check, no managed fields. */
  writeStatus(info: ResourceInfo, obj: KObject, status: Obj): KObject | undefined {
    const current = this.store.peek(storageKey(info), obj.metadata.namespace, obj.metadata.name);
    if (!current || deepEqual(current.status, status)) return undefined;
    return this.store.update(storageKey(info), { ...clone(current), status: clone(status) });
  }

  /** Controllers' metadata/spec write without checks (e.g. annotations, replicas). */
  writeObject(info: ResourceInfo, obj: KObject): KObject | undefined {
    const current = this.store.peek(storageKey(info), obj.metadata.namespace, obj.metadata.name);
    if (!current) return undefined;
    const next = clone(obj);
    next.status = clone(current.status);
    if (!deepEqual(specOf(current), specOf(next))) next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    if (deepEqual(next, current)) return undefined;
    return this.store.update(storageKey(info), next);
  }

  remove(info: ResourceInfo, namespace: string | undefined, name: string, options: DeleteOptions = {}): { object: KObject; immediate: boolean } {
    return removeObject(this, info, namespace, name, options);
  }

  /** Re-stamps apiVersion/kind for the served version. */
  out(info: ResourceInfo, obj: KObject): KObject {
    return this.#out(info, obj);
  }
}
