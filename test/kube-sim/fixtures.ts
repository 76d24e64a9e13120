// Fixtures: every *.yaml / *.yml / *.json file of a folder (sorted by name; multi-document YAML
// and `kind: List` allowed) is created in order. Namespaces and CRDs go first; CRDs are
// established at once, so a fixture may hold their custom resources.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Api } from './api.ts';
import { serverSideApply } from './apply.ts';
import { establishCrd } from './crds.ts';
import { stamp } from './store.ts';
import { isPlainObject, type KObject, type Obj } from './types.ts';

export function parseManifests(text: string, source: string): KObject[] {
  const out: KObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isPlainObject(value) || typeof value.kind !== 'string' || typeof value.apiVersion !== 'string')
      throw new Error(`${source}: every document needs apiVersion and kind`);
    if (value.kind === 'List' || value.kind.endsWith('List')) out.push(...((value.items ?? []) as KObject[]));
    else out.push(value as KObject);
  }
  return out;
}

const rank = (o: Obj): number => (o.kind === 'Namespace' ? 0 : o.kind === 'CustomResourceDefinition' ? 1 : 2);

/**
 * Creates objects in dependency order, as if `kubectl apply --server-side` had applied them
 * (field manager `kubectl`, operation Apply), so re-applying a changed fixture with kubectl
 * updates it without conflicts. Returns how many were created.
 */
export function loadObjects(api: Api, objects: KObject[], manager = 'kubectl'): number {
  let n = 0;
  for (const obj of [...objects].sort((a, b) => rank(a) - rank(b))) {
    const info = api.registry.byKind(obj.apiVersion, obj.kind);
    if (!info)
      throw new Error(`${obj.kind} "${obj.metadata?.name}": no resource for kind "${obj.kind}" in version "${obj.apiVersion}" (is its CRD in the fixtures?)`);
    const ns = info.namespaced ? (obj.metadata?.namespace ?? 'default') : undefined;
    if (api.find(info, ns, obj.metadata?.name)) continue;
    try {
      const applied = serverSideApply(
        undefined,
        { ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } },
        manager,
        true,
        stamp(api.store.now()),
      );
      const created = api.create(info, ns, applied);
      if (info.kind === 'CustomResourceDefinition') establishCrd(api, created);
    } catch (error) {
      throw new Error(`${obj.kind} "${ns ? `${ns}/` : ''}${obj.metadata?.name}": ${(error as Error).message}`, { cause: error });
    }
    n++;
  }
  return n;
}

export async function readFixtureDir(dir: string): Promise<KObject[]> {
  const names = (await readdir(dir)).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
  const out: KObject[] = [];
  for (const name of names) out.push(...parseManifests(await readFile(join(dir, name), 'utf8'), join(dir, name)));
  return out;
}
