// Table columns (pure) for the kinds bundles carry beyond workloads: RBAC, networking, CronJobs,
// storage, policy and autoscaling — the API server's printers for each, as `kubectl get` shows them.
import { images, none, selectorText, since, type Cells, type Layout } from './table-cells.ts';
import type { Obj } from './types.ts';

const name = (o: Obj): string => o.metadata?.name;
const age = (o: Obj, now: number): string => since(o.metadata?.creationTimestamp, now);
const created: Layout = {
  cols: [
    ['Name', 'string', 0, 'name'],
    ['Created At', 'date'],
  ],
  cells: (o) => [name(o), o.metadata?.creationTimestamp ?? ''],
};
const modes = (list: string[] | undefined): string =>
  (list ?? []).map((m) => ({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' })[m] ?? m).join(',');

function subjects(o: Obj, kind: string): string {
  const list = ((o.subjects ?? []) as Obj[])
    .filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? o.metadata?.namespace ?? ''}/${s.name}` : s.name));
  return list.join(', ');
}

function ingressCells(o: Obj, now: number): Cells {
  const rules: Obj[] = o.spec?.rules ?? [];
  const hosts =
    rules
      .map((r) => r.host)
      .filter(Boolean)
      .join(',') || '*';
  const address = ((o.status?.loadBalancer?.ingress ?? []) as Obj[]).map((i) => i.ip ?? i.hostname).join(',');
  return [name(o), o.spec?.ingressClassName ?? '<none>', hosts, address, (o.spec?.tls ?? []).length ? '80, 443' : '80', age(o, now)];
}

function hpaTargets(o: Obj): string {
  const metrics: Obj[] = o.spec?.metrics ?? [];
  if (metrics.length === 0) return '<none>';
  return metrics
    .map(
      (m) =>
        `<unknown>/${m.resource?.target?.averageUtilization !== undefined ? `${m.resource.target.averageUtilization}%` : (m.resource?.target?.averageValue ?? '?')}`,
    )
    .join(', ');
}

export function extraLayout(kind: string, custom: boolean): Layout | undefined {
  if (custom) return undefined;
  switch (kind) {
    case 'Role':
    case 'ClusterRole':
    case 'LimitRange':
      return created;
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Role', 'string'],
          ['Age', 'string'],
          ['Users', 'string', 1],
          ['Groups', 'string', 1],
          ['ServiceAccounts', 'string', 1],
        ],
        cells: (o, now) => [
          name(o),
          `${o.roleRef?.kind}/${o.roleRef?.name}`,
          age(o, now),
          subjects(o, 'User'),
          subjects(o, 'Group'),
          subjects(o, 'ServiceAccount'),
        ],
      };
    case 'Ingress':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Class', 'string'],
          ['Hosts', 'string'],
          ['Address', 'string'],
          ['Ports', 'string'],
          ['Age', 'string'],
        ],
        cells: ingressCells,
      };
    case 'IngressClass':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Controller', 'string'],
          ['Parameters', 'string'],
          ['Age', 'string'],
        ],
        cells: (o, now) => [
          name(o),
          o.spec?.controller ?? '',
          o.spec?.parameters ? `${o.spec.parameters.kind}/${o.spec.parameters.name}` : '<none>',
          age(o, now),
        ],
      };
    case 'NetworkPolicy':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Pod-Selector', 'string'],
          ['Age', 'string'],
        ],
        cells: (o, now) => [name(o), Object.keys(o.spec?.podSelector ?? {}).length ? selectorText(o.spec.podSelector) : '<none>', age(o, now)],
      };
    case 'CronJob':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Schedule', 'string'],
          ['Timezone', 'string'],
          ['Suspend', 'boolean'],
          ['Active', 'integer'],
          ['Last Schedule', 'string'],
          ['Age', 'string'],
          ['Containers', 'string', 1],
          ['Images', 'string', 1],
          ['Selector', 'string', 1],
        ],
        cells: (o, now) => [
          name(o),
          o.spec?.schedule ?? '',
          none(o.spec?.timeZone),
          o.spec?.suspend ? 'True' : 'False',
          (o.status?.active ?? []).length,
          o.status?.lastScheduleTime ? since(o.status.lastScheduleTime, now) : '<none>',
          age(o, now),
          ...images(o.spec?.jobTemplate?.spec?.template),
          selectorText(o.spec?.jobTemplate?.spec?.selector),
        ],
      };
    case 'PersistentVolume':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Capacity', 'string'],
          ['Access Modes', 'string'],
          ['Reclaim Policy', 'string'],
          ['Status', 'string'],
          ['Claim', 'string'],
          ['StorageClass', 'string'],
          ['VolumeAttributesClass', 'string'],
          ['Reason', 'string'],
          ['Age', 'string'],
          ['VolumeMode', 'string', 1],
        ],
        cells: (o, now) => {
          const ref = o.spec?.claimRef;
          return [
            name(o),
            o.spec?.capacity?.storage ?? '',
            modes(o.spec?.accessModes),
            o.spec?.persistentVolumeReclaimPolicy ?? 'Retain',
            o.status?.phase ?? 'Available',
            ref ? `${ref.namespace}/${ref.name}` : '',
            o.spec?.storageClassName ?? '',
            '<unset>',
            o.status?.reason ?? '',
            age(o, now),
            o.spec?.volumeMode ?? 'Filesystem',
          ];
        },
      };
    case 'StorageClass':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Provisioner', 'string'],
          ['ReclaimPolicy', 'string'],
          ['VolumeBindingMode', 'string'],
          ['AllowVolumeExpansion', 'string'],
          ['Age', 'string'],
        ],
        cells: (o, now) => {
          const isDefault = o.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
          return [
            `${name(o)}${isDefault ? ' (default)' : ''}`,
            o.provisioner ?? '',
            o.reclaimPolicy ?? 'Delete',
            o.volumeBindingMode ?? 'Immediate',
            String(o.allowVolumeExpansion ?? false),
            age(o, now),
          ];
        },
      };
    case 'PodDisruptionBudget':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Min Available', 'string'],
          ['Max Unavailable', 'string'],
          ['Allowed Disruptions', 'integer'],
          ['Age', 'string'],
        ],
        cells: (o, now) => [name(o), none(o.spec?.minAvailable), none(o.spec?.maxUnavailable), o.status?.disruptionsAllowed ?? 0, age(o, now)],
      };
    case 'HorizontalPodAutoscaler':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Reference', 'string'],
          ['Targets', 'string'],
          ['MinPods', 'string'],
          ['MaxPods', 'string'],
          ['Replicas', 'string'],
          ['Age', 'string'],
        ],
        cells: (o, now) => [
          name(o),
          `${o.spec?.scaleTargetRef?.kind}/${o.spec?.scaleTargetRef?.name}`,
          hpaTargets(o),
          String(o.spec?.minReplicas ?? 1),
          String(o.spec?.maxReplicas ?? ''),
          String(o.status?.currentReplicas ?? 0),
          age(o, now),
        ],
      };
    case 'Lease':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Holder', 'string'],
          ['Age', 'string'],
        ],
        cells: (o, now) => [name(o), o.spec?.holderIdentity ?? '', age(o, now)],
      };
    case 'ResourceQuota':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Age', 'string'],
          ['Request', 'string'],
          ['Limit', 'string'],
        ],
        cells: (o, now) => [
          name(o),
          age(o, now),
          Object.entries(o.spec?.hard ?? {})
            .filter(([k]) => !k.startsWith('limits.'))
            .map(([k, v]) => `${k}: ${o.status?.used?.[k] ?? '0'}/${v}`)
            .join(', '),
          Object.entries(o.spec?.hard ?? {})
            .filter(([k]) => k.startsWith('limits.'))
            .map(([k, v]) => `${k}: ${o.status?.used?.[k] ?? '0'}/${v}`)
            .join(', '),
        ],
      };
    default:
      return undefined;
  }
}
