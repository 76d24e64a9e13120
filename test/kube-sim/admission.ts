// Write checks (part of the API semantics): names by kind, no new content in a Terminating
// namespace, the default StorageClass for a claim without one, the immutable fields an upgrade engine trips over (selectors, a Job's template, a
// StatefulSet's claim templates, a binding's roleRef, an immutable Secret's data, a CRD's
// scope), and RBAC escalation prevention.
import type { Api } from './api.ts';
import type { UserInfo } from './rbac.ts';
import { guardRbacWrite } from './rbac-store.ts';
import type { ResourceInfo } from './resources.ts';
import { ApiError, deepEqual, invalid, type KObject, type Obj } from './types.ts';
import { defaultStorageClass } from './volumes.ts';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Name rules per kind: RBAC objects are path segments, namespaces and services DNS labels, the rest DNS subdomains. */
export function nameProblem(kind: string, group: string, name: string): string | undefined {
  if (group === 'rbac.authorization.k8s.io') {
    if (name === '.' || name === '..') return `may not be '${name}'`;
    return /[/%]/.test(name) ? `may not contain '${name.includes('/') ? '/' : '%'}'` : undefined;
  }
  if (kind === 'Namespace' || kind === 'Service') {
    return LABEL.test(name) && name.length <= 63
      ? undefined
      : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
  }
  return NAME.test(name) && name.length <= 253 ? undefined : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'";
}
export function admitCreate(api: Api, info: ResourceInfo, obj: KObject, user: UserInfo | undefined): void {
  const ns = obj.metadata.namespace;
  if (info.namespaced && ns && api.store.peek('/namespaces', undefined, ns)?.metadata.deletionTimestamp) {
    const resource = info.group ? `${info.plural}.${info.group}` : info.plural;
    throw new ApiError(
      403,
      'Forbidden',
      `${resource} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      {
        name: obj.metadata.name,
        ...(info.group ? { group: info.group } : {}),
        kind: info.plural,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
      },
    );
  }
  if (info.kind === 'PersistentVolumeClaim' && obj.spec && obj.spec.storageClassName === undefined) {
    const fallback = defaultStorageClass({ api });
    if (fallback) obj.spec.storageClassName = fallback;
  }
  guardRbacWrite(api, info, obj, undefined, user);
}

const goString = (v: unknown): string => JSON.stringify(String(v ?? ''));

/** `v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}` */
function goSelector(sel: Obj | undefined): string {
  const labels = Object.entries(sel?.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${goString(k)}:${goString(v)}`);
  const exprs = sel?.matchExpressions?.length ? JSON.stringify(sel.matchExpressions) : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:map[string]string{${labels.join(', ')}}, MatchExpressions:${exprs}}`;
}

const STS_MUTABLE = new Set(['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']);

function immutable(info: ResourceInfo, before: KObject, after: KObject): ApiError | undefined {
  const bad = (field: string, message: string): ApiError => invalid(info.kind, after.metadata.name, field, message, info.group);
  const changed = (a: unknown, b: unknown): boolean => a !== undefined && !deepEqual(a, b);
  switch (info.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'DaemonSet':
      if (changed(before.spec?.selector, after.spec?.selector))
        return bad('spec.selector', `Invalid value: ${goSelector(after.spec?.selector)}: field is immutable`);
      return undefined;
    case 'StatefulSet': {
      const keys = new Set([...Object.keys(before.spec ?? {}), ...Object.keys(after.spec ?? {})]);
      if ([...keys].some((k) => !STS_MUTABLE.has(k) && !deepEqual(before.spec?.[k], after.spec?.[k]))) {
        return bad(
          'spec',
          "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        );
      }
      return undefined;
    }
    case 'Job':
      if (changed(before.spec?.selector, after.spec?.selector))
        return bad('spec.selector', `Invalid value: ${goSelector(after.spec?.selector)}: field is immutable`);
      if (changed(before.spec?.template, after.spec?.template)) return bad('spec.template', 'Invalid value: core.PodTemplateSpec{…}: field is immutable');
      if (changed(before.spec?.completions, after.spec?.completions))
        return bad('spec.completions', `Invalid value: ${after.spec?.completions}: field is immutable`);
      return undefined;
    case 'RoleBinding':
    case 'ClusterRoleBinding': {
      const r: Obj = after.roleRef ?? {};
      if (changed(before.roleRef, after.roleRef))
        return bad(
          'roleRef',
          `Invalid value: rbac.RoleRef{APIGroup:${goString(r.apiGroup)}, Kind:${goString(r.kind)}, Name:${goString(r.name)}}: cannot change roleRef`,
        );
      return undefined;
    }
    case 'Service':
      if (changed(before.spec?.clusterIP, after.spec?.clusterIP) && after.spec?.type !== 'ExternalName') {
        return bad('spec.clusterIPs[0]', `Invalid value: []string{${goString(after.spec?.clusterIP)}}: may not change once set`);
      }
      return undefined;
    case 'PersistentVolumeClaim': {
      const strip = (spec: Obj | undefined): Obj => ({ ...spec, resources: undefined, volumeAttributesClassName: undefined });
      if (before.spec && !deepEqual(JSON.parse(JSON.stringify(strip(before.spec))), JSON.parse(JSON.stringify(strip(after.spec))))) {
        return bad('spec', 'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
      }
      return undefined;
    }
    case 'Secret':
    case 'ConfigMap':
      if (before.immutable === true && (!deepEqual(before.data, after.data) || !deepEqual(before.binaryData, after.binaryData)))
        return bad('data', 'Forbidden: field is immutable when `immutable` is set');
      if (before.immutable === true && after.immutable !== true) return bad('immutable', 'Forbidden: field is immutable when `immutable` is set');
      return undefined;
    case 'CustomResourceDefinition':
      if (changed(before.spec?.scope, after.spec?.scope)) return bad('spec.scope', `Invalid value: ${goString(after.spec?.scope)}: field is immutable`);
      return undefined;
    default:
      return undefined;
  }
}

/** Checks an update of `before` to `after` (spec/metadata writes; status writes skip this). */
export function admitUpdate(api: Api, info: ResourceInfo, before: KObject, after: KObject, user: UserInfo | undefined): void {
  const error = immutable(info, before, after);
  if (error) throw error;
  guardRbacWrite(api, info, after, before, user);
}
