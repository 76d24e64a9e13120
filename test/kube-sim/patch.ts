// Patch algorithms (pure): RFC 7386 JSON merge patch, RFC 6902 JSON patch, and the subset of
// Kubernetes strategic merge patch that kubectl sends (merge keys for the common lists, `$patch`,
// `$retainKeys`, `$setElementOrder`, `$deleteFromPrimitiveList`).
import { ApiError, badRequest, clone, deepEqual, isPlainObject, type Obj } from './types.ts';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Obj = isPlainObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map(unescapePointer);
}

function parentOf(doc: unknown, tokens: string[], op: string): { parent: Obj | unknown[]; last: string } {
  let node: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isPlainObject(node)) node = node[token];
    else node = undefined;
    if (node === undefined) throw jsonPatchError(op, tokens);
  }
  if (!Array.isArray(node) && !isPlainObject(node)) throw jsonPatchError(op, tokens);
  return { parent: node, last: tokens[tokens.length - 1] ?? '' };
}

function jsonPatchError(op: string, tokens: string[]): ApiError {
  return new ApiError(
    422,
    'Invalid',
    `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "/${tokens.join('/')}": missing value`,
  );
}

function getAt(doc: unknown, tokens: string[]): unknown {
  let node: unknown = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isPlainObject(node)) node = Object.hasOwn(node, token) ? node[token] : undefined;
    else return undefined;
  }
  return node;
}

function removeAt(doc: unknown, tokens: string[], op: string): unknown {
  const { parent, last } = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) throw jsonPatchError(op, tokens);
    return parent.splice(index, 1)[0];
  }
  if (!Object.hasOwn(parent, last)) throw jsonPatchError(op, tokens);
  const value = parent[last];
  delete parent[last];
  return value;
}

function addAt(doc: unknown, tokens: string[], value: unknown, op: string, replace: boolean): unknown {
  if (tokens.length === 0) return clone(value);
  const { parent, last } = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw jsonPatchError(op, tokens);
    if (replace) {
      if (index >= parent.length) throw jsonPatchError(op, tokens);
      parent[index] = clone(value);
    } else parent.splice(index, 0, clone(value));
  } else {
    if (replace && !Object.hasOwn(parent, last)) throw jsonPatchError(op, tokens);
    parent[last] = clone(value);
  }
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  let doc = clone(target);
  for (const raw of ops) {
    if (!isPlainObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest('json patch operation needs "op" and "path"');
    }
    const tokens = parsePointer(raw.path);
    switch (raw.op) {
      case 'add':
        doc = addAt(doc, tokens, raw.value, 'add', false);
        break;
      case 'replace':
        doc = addAt(doc, tokens, raw.value, 'replace', true);
        break;
      case 'remove':
        removeAt(doc, tokens, 'remove');
        break;
      case 'move':
      case 'copy': {
        const from = parsePointer(String(raw.from ?? ''));
        const value = raw.op === 'move' ? removeAt(doc, from, raw.op) : clone(getAt(doc, from));
        if (value === undefined) throw jsonPatchError(raw.op, from);
        doc = addAt(doc, tokens, value, raw.op, false);
        break;
      }
      case 'test':
        if (!deepEqual(getAt(doc, tokens), raw.value)) {
          throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: testing value /${tokens.join('/')} failed`);
        }
        break;
      default:
        throw badRequest(`unknown json patch operation "${raw.op}"`);
    }
  }
  return doc;
}

/** Merge keys of the lists kubectl patches; a list not named here is replaced whole. */
export const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  conditions: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  secrets: 'name',
};

/** The merge key of a list field; `ports` depends on whether it holds container or service ports. */
export function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  if (field === 'ports') {
    return items.some((i) => isPlainObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

/** Primitive lists merged as sets by strategic merge patch. */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function mergeList(field: string, current: unknown, patch: unknown[]): unknown[] {
  const existing = Array.isArray(current) ? current : [];
  if (MERGED_PRIMITIVE_LISTS.has(field)) {
    const out = [...existing];
    for (const v of patch) if (!out.some((x) => deepEqual(x, v))) out.push(clone(v));
    return out;
  }
  const key = mergeKeyFor(field, [...existing, ...patch]);
  if (!key) return patch.filter((i) => !(isPlainObject(i) && '$patch' in i)).map((i) => clone(i));
  if (patch.some((i) => isPlainObject(i) && i.$patch === 'replace')) {
    return patch.filter((i) => !(isPlainObject(i) && i.$patch === 'replace')).map((i) => clone(i));
  }
  const out: unknown[] = existing.map((i) => clone(i));
  for (const item of patch) {
    if (!isPlainObject(item)) {
      out.push(clone(item));
      continue;
    }
    const index = out.findIndex((e) => isPlainObject(e) && deepEqual(e[key], item[key]));
    if (item.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
    } else if (index >= 0) out[index] = strategicMerge(out[index], item);
    else out.push(strategicMerge({}, item));
  }
  return out;
}

export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const rest = clone(patch);
    delete rest.$patch;
    return rest;
  }
  if (patch.$patch === 'delete') return undefined;
  let out: Obj = isPlainObject(target) ? clone(target) : {};
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const drop = Array.isArray(value) ? value : [];
      if (Array.isArray(out[field])) out[field] = (out[field] as unknown[]).filter((v) => !drop.some((d) => deepEqual(d, v)));
      continue;
    }
    if (value === null) delete out[key];
    else if (Array.isArray(value)) out[key] = mergeList(key, out[key], value);
    else if (isPlainObject(value)) {
      const merged = strategicMerge(out[key], value);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else out[key] = value;
  }
  return out;
}
