// CustomResourceDefinitions: checks on create, then the apiextensions controller — names are
// accepted unless another CRD of the group holds the kind or a short name, and after
// `establishMs` the CRD becomes Established and its resources are served (discovery, CRUD,
// watch). Until then requests for its resources are 404, as on a real server.
import type { Api } from './api.ts';
import type { Kit } from './controller-kit.ts';
import { infosFromCrd, storageKey, type Registry } from './resources.ts';
import { stamp } from './store.ts';
import { clone, invalid, type KObject, type Obj } from './types.ts';

const GROUP = 'apiextensions.k8s.io';

const condition = (type: string, status: boolean, reason: string, message: string, now: string): Obj => ({
  type,
  status: status ? 'True' : 'False',
  lastTransitionTime: now,
  reason,
  message,
});

export const isEstablished = (crd: Obj): boolean => (crd.status?.conditions ?? []).some((c: Obj) => c.type === 'Established' && c.status === 'True');

/** Validates a new CRD and gives it the status a real server starts with (names accepted, not yet established). */
export function prepareCrd(crd: KObject, now: string): void {
  const spec: Obj = crd.spec ?? {};
  const names: Obj = spec.names ?? {};
  const bad = (field: string, message: string): never => {
    throw invalid('CustomResourceDefinition', crd.metadata.name, field, message, GROUP);
  };
  if (!spec.group) bad('spec.group', 'Required value');
  if (!names.plural) bad('spec.names.plural', 'Required value');
  if (!names.kind) bad('spec.names.kind', 'Required value');
  if (crd.metadata.name !== `${names.plural}.${spec.group}`)
    bad('metadata.name', `Invalid value: "${crd.metadata.name}": must be spec.names.plural+"."+spec.group`);
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster')
    bad('spec.scope', `Unsupported value: "${spec.scope ?? ''}": supported values: "Cluster", "Namespaced"`);
  const versions: Obj[] = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.filter((v) => v.storage === true).length !== 1) bad('spec.versions', 'Invalid value: must have exactly one version marked as storage version');
  if (!versions.some((v) => v.served !== false)) bad('spec.versions', 'Invalid value: must have at least one served version');
  crd.status = {
    acceptedNames: { ...clone(names), singular: names.singular ?? String(names.kind).toLowerCase(), listKind: names.listKind ?? `${names.kind}List` },
    storedVersions: versions.filter((v) => v.storage).map((v) => v.name),
    conditions: [
      condition('NamesAccepted', true, 'NoConflicts', 'no conflicts found', now),
      condition('Established', false, 'Installing', 'the initial names have been accepted', now),
    ],
  };
}

/** Serves the CRD's versions (replacing what an earlier revision of it served). */
export function registerCrd(registry: Registry, crd: Obj): void {
  registry.removeCustom(String(crd.spec?.group), String(crd.spec?.names?.plural));
  for (const info of infosFromCrd(crd)) registry.add(info);
}

/** A conflict with another CRD of the same group over the kind or a short name, if any. */
function nameConflict(crd: Obj, others: Obj[]): string | undefined {
  const names: Obj = crd.spec?.names ?? {};
  for (const other of others) {
    if (other.metadata.name === crd.metadata.name || other.spec?.group !== crd.spec?.group || !isEstablished(other)) continue;
    const theirs: Obj = other.spec?.names ?? {};
    if (theirs.kind === names.kind) return `"${names.kind}" is already in use`;
    const short = (names.shortNames ?? []).find((s: string) => (theirs.shortNames ?? []).includes(s));
    if (short) return `"${short}" is already in use`;
  }
  return undefined;
}

/** Establishes at once (fixtures, built-ins): the CRD is served when this returns. */
export function establishCrd(api: Api, crd: KObject): void {
  const info = api.info(`${GROUP}/v1`, 'CustomResourceDefinition');
  const now = stamp(api.store.now());
  const status = {
    ...clone(crd.status ?? {}),
    conditions: [
      condition('NamesAccepted', true, 'NoConflicts', 'no conflicts found', now),
      condition('Established', true, 'InitialNamesAccepted', 'the initial names have been accepted', now),
    ],
  };
  const saved = api.writeStatus(info, crd, status) ?? crd;
  registerCrd(api.registry, saved);
}

/** The apiextensions controller's pass: accept names, establish after `establishMs`. */
export function syncCrds(kit: Kit, establishMs: number): void {
  const info = kit.info(`${GROUP}/v1`, 'CustomResourceDefinition');
  const crds = kit.api.store.list(storageKey(info), undefined, true);
  for (const crd of crds) {
    if (isEstablished(crd) || crd.metadata.deletionTimestamp) continue;
    const now = stamp(new Date(kit.now()));
    const conflict = nameConflict(crd, crds);
    if (conflict) {
      const old: Obj[] = crd.status?.conditions ?? [];
      const keep = (c: Obj): Obj => ({
        ...c,
        lastTransitionTime: old.find((o) => o.type === c.type && o.status === c.status)?.lastTransitionTime ?? c.lastTransitionTime,
      });
      const conditions = [
        condition('NamesAccepted', false, 'KindConflict', conflict, now),
        condition('Established', false, 'NotAccepted', 'not all names are accepted', now),
      ].map(keep);
      kit.api.writeStatus(info, crd, { ...clone(crd.status ?? {}), conditions });
      continue;
    }
    if (kit.now() - Date.parse(crd.metadata.creationTimestamp) >= establishMs) establishCrd(kit.api, crd);
  }
}
