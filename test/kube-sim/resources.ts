// The resource registry: which group/version/resource the sim serves, its kind, scope and
// discovery facts. Built-ins are listed here; CRDs add entries when they are created.
import type { Obj } from './types.ts';

export interface ResourceInfo {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources besides the object itself: status, log, scale. */
  subresources: string[];
  /** True for CRD-defined resources. */
  custom: boolean;
  /** Create-only review kinds (SelfSubjectAccessReview, TokenReview, …): never stored. */
  review?: boolean;
  /** additionalPrinterColumns of a CRD version, if any. */
  printerColumns?: Obj[];
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Review kinds (access reviews, token reviews): create only, never stored. */
function review(group: string, plural: string, kind: string, namespaced: boolean): ResourceInfo {
  return { ...r(group, 'v1', plural, kind, namespaced), review: true };
}

function r(
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[] = [],
  subresources: string[] = [],
  categories: string[] = [],
): ResourceInfo {
  return { group, version, plural, singular: kind.toLowerCase(), kind, namespaced, shortNames, categories, subresources, custom: false };
}

export const BUILTINS: ResourceInfo[] = [
  r('', 'v1', 'namespaces', 'Namespace', false, ['ns'], ['status']),
  r('', 'v1', 'nodes', 'Node', false, ['no'], ['status']),
  r('', 'v1', 'pods', 'Pod', true, ['po'], ['status', 'log'], ['all']),
  r('', 'v1', 'services', 'Service', true, ['svc'], ['status'], ['all']),
  r('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
  r('', 'v1', 'secrets', 'Secret', true),
  r('', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa'], ['token']),
  r('', 'v1', 'events', 'Event', true, ['ev']),
  r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], ['status']),
  r('', 'v1', 'persistentvolumes', 'PersistentVolume', false, ['pv'], ['status']),
  r('', 'v1', 'resourcequotas', 'ResourceQuota', true, ['quota'], ['status']),
  r('', 'v1', 'limitranges', 'LimitRange', true, ['limits']),
  r('apps', 'v1', 'deployments', 'Deployment', true, ['deploy'], ['status', 'scale'], ['all']),
  r('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs'], ['status', 'scale'], ['all']),
  r('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts'], ['status', 'scale'], ['all']),
  r('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds'], ['status'], ['all']),
  r('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  r('batch', 'v1', 'jobs', 'Job', true, [], ['status'], ['all']),
  r('batch', 'v1', 'cronjobs', 'CronJob', true, ['cj'], ['status'], ['all']),
  r('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, ['hpa'], ['status'], ['all']),
  r('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb'], ['status']),
  r('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, ['ing'], ['status']),
  r('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  r('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, ['netpol']),
  r('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, ['sc']),
  r('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  r('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  r('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  r('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  r('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  review('authentication.k8s.io', 'tokenreviews', 'TokenReview', false),
  review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview', false),
  review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false),
  review('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false),
  review('authorization.k8s.io', 'subjectaccessreviews', 'SubjectAccessReview', false),
  review('authorization.k8s.io', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
  r('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, ['crd', 'crds'], ['status'], ['api-extensions']),
];

/** Subresources: the kind they speak, its group/version when it differs, and their verbs. */
const SUBRESOURCES: Record<string, { kind?: string; group?: string; version?: string; verbs: string[] }> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  log: { kind: 'Pod', verbs: ['get'] },
  token: { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
};

export const groupVersion = (info: Pick<ResourceInfo, 'group' | 'version'>): string => (info.group ? `${info.group}/${info.version}` : info.version);

/** Storage key shared by all versions of a resource. */
export const storageKey = (info: Pick<ResourceInfo, 'group' | 'plural'>): string => `${info.group}/${info.plural}`;

export class Registry {
  #byPath = new Map<string, ResourceInfo>();

  constructor() {
    for (const info of BUILTINS) this.add(info);
  }

  add(info: ResourceInfo): void {
    this.#byPath.set(`${info.group}/${info.version}/${info.plural}`, info);
  }

  removeCustom(group: string, plural: string): void {
    for (const [key, info] of this.#byPath) if (info.custom && info.group === group && info.plural === plural) this.#byPath.delete(key);
  }

  lookup(group: string, version: string, plural: string): ResourceInfo | undefined {
    return this.#byPath.get(`${group}/${version}/${plural}`);
  }

  byKind(apiVersion: string, kind: string): ResourceInfo | undefined {
    for (const info of this.#byPath.values()) if (groupVersion(info) === apiVersion && info.kind === kind) return info;
    return undefined;
  }

  all(): ResourceInfo[] {
    return [...this.#byPath.values()];
  }

  groups(): { group: string; versions: string[] }[] {
    const map = new Map<string, Set<string>>();
    for (const info of this.#byPath.values()) {
      if (!info.group) continue;
      let set = map.get(info.group);
      if (!set) map.set(info.group, (set = new Set()));
      set.add(info.version);
    }
    return [...map].map(([group, versions]) => ({ group, versions: [...versions].sort(compareVersions) }));
  }

  resourceList(group: string, version: string): Obj | undefined {
    const infos = this.all().filter((i) => i.group === group && i.version === version);
    if (infos.length === 0) return undefined;
    const resources: Obj[] = [];
    for (const info of infos) {
      resources.push({
        name: info.plural,
        singularName: info.singular,
        namespaced: info.namespaced,
        kind: info.kind,
        verbs: info.review ? ['create'] : VERBS,
        ...(info.shortNames.length ? { shortNames: info.shortNames } : {}),
        ...(info.categories.length ? { categories: info.categories } : {}),
        storageVersionHash: Buffer.from(`${info.group}/${info.plural}`).toString('base64').slice(0, 11),
      });
      for (const sub of info.subresources) {
        const facts = SUBRESOURCES[sub] ?? { verbs: ['get'] };
        const gv = facts.group ? { group: facts.group, version: facts.version } : {};
        resources.push({
          name: `${info.plural}/${sub}`,
          singularName: '',
          namespaced: info.namespaced,
          kind: facts.kind ?? info.kind,
          verbs: facts.verbs,
          ...gv,
        });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
  }
}

/** Kubernetes version ordering: v1 > v1beta2 > v1beta1 > v1alpha1; returns best first. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const stage = m[2] === 'alpha' ? 1 : m[2] === 'beta' ? 2 : 3;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [a1, a2, a3] = rank(a);
  const [b1, b2, b3] = rank(b);
  return b1 - a1 || b2 - a2 || b3 - a3;
}

/** Registry entries for a CRD object (one per served version). */
export function infosFromCrd(crd: Obj): ResourceInfo[] {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  return (spec.versions ?? [])
    .filter((v: Obj) => v.served !== false)
    .map((v: Obj) => ({
      group: String(spec.group),
      version: String(v.name),
      plural: String(names.plural),
      singular: String(names.singular ?? String(names.kind ?? '').toLowerCase()),
      kind: String(names.kind),
      namespaced: spec.scope !== 'Cluster',
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      subresources: v.subresources?.status ? ['status'] : [],
      custom: true,
      ...(v.additionalPrinterColumns ? { printerColumns: v.additionalPrinterColumns } : {}),
    }));
}
