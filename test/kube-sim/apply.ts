// Server-side apply and managed fields (pure), simplified: a manager owns leaf paths (scalars,
// atomic lists, empty maps) and the items of keyed lists (merge keys from patch.ts). Applying
// conflicts when another manager owns a path whose value the applied config changes; `force`
// takes the path over. Fields a manager applied before and no longer applies are removed when
// nobody else owns them. Lists without a merge key are atomic.
import { mergeKeyFor, strategicMerge } from './patch.ts';
import { ApiError, clone, deepEqual, isPlainObject, type Obj } from './types.ts';

type Segment = string; // f:name | k:{"name":"x"}
type Path = Segment[];

const UNTRACKED_META = new Set([
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'name',
  'namespace',
  'generateName',
]);

/** Every owned path of an object (or applied config), keyed by its JSON form, with its value. */
export function leafPaths(obj: Obj, includeStatus = false): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (node: unknown, path: Path, field: string): void => {
    if (Array.isArray(node)) {
      const key = mergeKeyFor(field, node);
      if (key && node.every((i) => isPlainObject(i) && i[key] !== undefined)) {
        for (const item of node as Obj[]) {
          const itemPath = [...path, `k:${JSON.stringify({ [key]: item[key] })}`];
          out.set(JSON.stringify(itemPath), undefined);
          walk(item, itemPath, '');
        }
        return;
      }
      out.set(JSON.stringify(path), node);
      return;
    }
    if (isPlainObject(node)) {
      const keys = Object.keys(node);
      if (keys.length === 0 && path.length > 0) out.set(JSON.stringify(path), {});
      for (const k of keys) walk(node[k], [...path, `f:${k}`], k);
      return;
    }
    out.set(JSON.stringify(path), node);
  };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || (k === 'status' && !includeStatus)) continue;
    if (k === 'metadata' && isPlainObject(v)) {
      for (const [mk, mv] of Object.entries(v)) if (!UNTRACKED_META.has(mk)) walk(mv, ['f:metadata', `f:${mk}`], mk);
      continue;
    }
    walk(v, [`f:${k}`], k);
  }
  return out;
}

export function valueAt(obj: unknown, path: Path): unknown {
  let node: unknown = obj;
  for (const seg of path) {
    if (seg.startsWith('f:')) node = isPlainObject(node) ? node[seg.slice(2)] : undefined;
    else {
      const key = JSON.parse(seg.slice(2)) as Obj;
      node = Array.isArray(node) ? node.find((i) => isPlainObject(i) && Object.entries(key).every(([k, v]) => deepEqual(i[k], v))) : undefined;
    }
    if (node === undefined) return undefined;
  }
  return node;
}

function removeAt(obj: Obj, path: Path): void {
  const parent = valueAt(obj, path.slice(0, -1));
  const last = path[path.length - 1];
  if (last === undefined) return;
  if (last.startsWith('f:') && isPlainObject(parent)) delete parent[last.slice(2)];
  else if (last.startsWith('k:') && Array.isArray(parent)) {
    const key = JSON.parse(last.slice(2)) as Obj;
    const index = parent.findIndex((i) => isPlainObject(i) && Object.entries(key).every(([k, v]) => deepEqual(i[k], v)));
    if (index >= 0) parent.splice(index, 1);
  }
}

export function displayPath(path: Path): string {
  return path
    .map((seg) => {
      if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
      const key = JSON.parse(seg.slice(2)) as Obj;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

export function toFieldsV1(paths: Iterable<string>): Obj {
  const root: Obj = {};
  const owned: Obj[] = [];
  for (const key of paths) {
    let node = root;
    for (const seg of JSON.parse(key) as Path) node = node[seg] ??= {};
    owned.push(node);
  }
  for (const node of owned) if (Object.keys(node).some((k) => k !== '.')) node['.'] = {};
  return root;
}

export function fromFieldsV1(tree: Obj): Set<string> {
  const out = new Set<string>();
  const walk = (node: Obj, path: Path): void => {
    const keys = Object.keys(node).filter((k) => k !== '.');
    if ((keys.length === 0 || '.' in node) && path.length > 0) out.add(JSON.stringify(path));
    for (const k of keys) if (isPlainObject(node[k])) walk(node[k], [...path, k]);
  };
  walk(tree, []);
  return out;
}

export interface ManagedEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Obj;
  subresource?: string;
}

function ownersOf(obj: Obj): { manager: string; operation: string; paths: Set<string>; entry: Obj }[] {
  const list = Array.isArray(obj.metadata?.managedFields) ? (obj.metadata.managedFields as Obj[]) : [];
  return list.map((entry) => ({
    manager: String(entry.manager ?? ''),
    operation: String(entry.operation ?? ''),
    paths: fromFieldsV1(entry.fieldsV1 ?? {}),
    entry,
  }));
}

function writeOwners(obj: Obj, owners: ReturnType<typeof ownersOf>): void {
  obj.metadata.managedFields = owners.filter((o) => o.paths.size > 0 || o.operation === 'Apply').map((o) => ({ ...o.entry, fieldsV1: toFieldsV1(o.paths) }));
  if (obj.metadata.managedFields.length === 0) delete obj.metadata.managedFields;
}

/** Records an Update-operation change by `manager` from `before` (undefined on create) to `after`. */
export function recordUpdate(before: Obj | undefined, after: Obj, manager: string, now: string, subresource?: string): Obj {
  const out = clone(after);
  out.metadata ??= {};
  out.metadata.managedFields = clone(before?.metadata?.managedFields ?? after.metadata?.managedFields ?? []);
  const oldLeaves = before ? leafPaths(before, subresource === 'status') : new Map<string, unknown>();
  const newLeaves = leafPaths(out, subresource === 'status');
  const changed = [...newLeaves].filter(([k, v]) => !oldLeaves.has(k) || !deepEqual(oldLeaves.get(k), v)).map(([k]) => k);
  const gone = [...oldLeaves.keys()].filter((k) => !newLeaves.has(k));
  const owners = ownersOf(out);
  for (const owner of owners) for (const k of [...changed, ...gone]) owner.paths.delete(k);
  if (changed.length > 0) {
    let mine = owners.find((o) => o.manager === manager && o.operation === 'Update');
    if (!mine) {
      const entry: ManagedEntry = {
        manager,
        operation: 'Update',
        apiVersion: out.apiVersion,
        time: now,
        fieldsType: 'FieldsV1',
        fieldsV1: {},
        ...(subresource ? { subresource } : {}),
      };
      mine = { manager, operation: 'Update', paths: new Set(), entry };
      owners.push(mine);
    }
    mine.entry.time = now;
    for (const k of changed) mine.paths.add(k);
  }
  writeOwners(out, owners);
  return out;
}

/** How the API server names a manager in conflicts: `"kubectl"` for appliers, `"x" using apps/v1` for updaters. */
function managerLabel(entry: Obj, apiVersion: string): string {
  const sub = entry.subresource ? ` with subresource "${entry.subresource}"` : '';
  return entry.operation === 'Update' ? `"${entry.manager}"${sub} using ${entry.apiVersion ?? apiVersion}` : `"${entry.manager}"${sub}`;
}

function conflictMessage(conflicts: { label: string; path: Path }[]): string {
  const first = conflicts[0];
  if (conflicts.length === 1 && first) return `Apply failed with 1 conflict: conflict with ${first.label}: ${displayPath(first.path)}`;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(c.label, [...(byManager.get(c.label) ?? []), displayPath(c.path)]);
  const lines = [...byManager].sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([label, paths]) => [`conflicts with ${label}:`, ...paths.map((p) => `- ${p}`)]);
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** Applies `config` as `manager` onto `current` (undefined: create). Throws a 409 on conflicts. */
export function serverSideApply(current: Obj | undefined, config: Obj, manager: string, force: boolean, now: string): Obj {
  const base: Obj = current ? clone(current) : { apiVersion: config.apiVersion, kind: config.kind, metadata: {} };
  const applied = leafPaths(config);
  const owners = ownersOf(base);
  const conflicts: { manager: string; label: string; path: Path }[] = [];
  for (const owner of owners) {
    if (owner.manager === manager) continue;
    for (const k of owner.paths) {
      if (!applied.has(k)) continue;
      const path = JSON.parse(k) as Path;
      const currentValue = valueAt(base, path);
      const appliedValue = applied.get(k);
      if (appliedValue !== undefined && !deepEqual(currentValue, appliedValue))
        conflicts.push({ manager: owner.manager, label: managerLabel(owner.entry, String(base.apiVersion)), path });
    }
  }
  if (conflicts.length > 0 && !force) {
    const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.label}`, field: displayPath(c.path) }));
    throw new ApiError(409, 'Conflict', conflictMessage(conflicts), { causes });
  }
  for (const c of conflicts) {
    const owner = owners.find((o) => o.manager === c.manager);
    owner?.paths.delete(JSON.stringify(c.path));
  }
  const mine = owners.find((o) => o.manager === manager && o.operation === 'Apply');
  const previously = mine ? [...mine.paths] : [];
  const result = base;
  // Drop what this manager applied before and no longer applies, unless someone else owns it.
  // A path still holds something when a field under it is applied now or owned by someone else.
  const under = (k: string, keys: Iterable<string>): boolean => {
    const prefix = `${k.slice(0, -1)},`;
    for (const other of keys) if (other === k || other.startsWith(prefix)) return true;
    return false;
  };
  const droppable = previously
    .filter((k) => !under(k, applied.keys()) && !owners.some((o) => o !== mine && under(k, o.paths)))
    .map((k) => JSON.parse(k) as Path)
    .sort((a, b) => b.length - a.length);
  for (const path of droppable) {
    removeAt(result, path);
    // Drop the maps left empty by the removal, as the real merge does.
    for (let n = path.length - 1; n > 0; n--) {
      const parentPath = path.slice(0, n);
      const parent = valueAt(result, parentPath);
      const empty = isPlainObject(parent) ? Object.keys(parent).length === 0 : Array.isArray(parent) && parent.length === 0;
      if (!empty || applied.has(JSON.stringify(parentPath))) break;
      removeAt(result, parentPath);
    }
  }
  const configBody = clone(config);
  delete configBody.status;
  const merged = strategicMerge(result, configBody) as Obj;
  merged.metadata = { ...merged.metadata };
  const entry: ManagedEntry = { manager, operation: 'Apply', apiVersion: String(config.apiVersion), time: now, fieldsType: 'FieldsV1', fieldsV1: {} };
  const next = owners.filter((o) => o !== mine);
  next.push({ manager, operation: 'Apply', paths: new Set(applied.keys()), entry: entry as unknown as Obj });
  writeOwners(merged, next);
  return merged;
}
