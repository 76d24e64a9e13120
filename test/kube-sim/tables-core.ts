// Table columns (pure) for the core and workload kinds and for custom resources (their CRD's
// additionalPrinterColumns), following the API server's printers (pkg/printers/internalversion).
import type { ResourceInfo } from './resources.ts';
import { none, since, type Col, type Layout } from './table-cells.ts';
import type { Obj } from './types.ts';
import { workloadLayout } from './tables-workloads.ts';

function servicePorts(svc: Obj): string {
  const ports: Obj[] = svc.spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

/** A tiny JSONPath for CRD printer columns: `.a.b.c` and `.a[0].b`. */
function jsonPath(obj: unknown, path: string): unknown {
  let node: unknown = obj;
  for (const part of path
    .replace(/^\./, '')
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== '')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Obj)[part];
  }
  return node;
}

export function coreLayout(info: ResourceInfo): Layout {
  const workload = workloadLayout(info.kind);
  if (workload) return workload;
  const age = (o: Obj, now: number): string => since(o.metadata?.creationTimestamp, now);
  const name = (o: Obj): string => o.metadata?.name;
  switch (info.kind) {
    case 'Service':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Type', 'string'],
          ['Cluster-IP', 'string'],
          ['External-IP', 'string'],
          ['Port(s)', 'string'],
          ['Age', 'string'],
          ['Selector', 'string', 1],
        ],
        cells: (o, now) => [
          name(o),
          o.spec?.type ?? 'ClusterIP',
          none(o.spec?.clusterIP),
          (o.status?.loadBalancer?.ingress ?? []).map((i: Obj) => i.ip).join(',') || '<none>',
          servicePorts(o),
          age(o, now),
          Object.entries(o.spec?.selector ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(',') || '<none>',
        ],
      };
    case 'Namespace':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Status', 'string'],
          ['Age', 'string'],
        ],
        cells: (o, now) => [name(o), o.status?.phase ?? 'Active', age(o, now)],
      };
    case 'Node':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Status', 'string'],
          ['Roles', 'string'],
          ['Age', 'string'],
          ['Version', 'string'],
          ['Internal-IP', 'string', 1],
          ['External-IP', 'string', 1],
          ['OS-Image', 'string', 1],
          ['Kernel-Version', 'string', 1],
          ['Container-Runtime', 'string', 1],
        ],
        cells: (o, now) => {
          const ready = (o.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
          const roles = Object.keys(o.metadata?.labels ?? {})
            .filter((k) => k.startsWith('node-role.kubernetes.io/'))
            .map((k) => k.slice('node-role.kubernetes.io/'.length))
            .sort();
          const info2 = o.status?.nodeInfo ?? {};
          const addr = (t: string): string => none((o.status?.addresses ?? []).find((a: Obj) => a.type === t)?.address);
          return [
            name(o),
            ready?.status === 'True' ? 'Ready' : 'NotReady',
            roles.join(',') || '<none>',
            age(o, now),
            info2.kubeletVersion ?? '',
            addr('InternalIP'),
            addr('ExternalIP'),
            info2.osImage ?? '',
            info2.kernelVersion ?? '',
            info2.containerRuntimeVersion ?? '',
          ];
        },
      };
    case 'ConfigMap':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Data', 'integer'],
          ['Age', 'string'],
        ],
        cells: (o, now) => [name(o), Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o, now)],
      };
    case 'Secret':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Type', 'string'],
          ['Data', 'integer'],
          ['Age', 'string'],
        ],
        cells: (o, now) => [name(o), o.type ?? 'Opaque', Object.keys(o.data ?? {}).length, age(o, now)],
      };
    case 'ServiceAccount':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Secrets', 'integer'],
          ['Age', 'string'],
        ],
        cells: (o, now) => [name(o), (o.secrets ?? []).length, age(o, now)],
      };
    case 'Event':
      return {
        cols: [
          ['Last Seen', 'string'],
          ['Type', 'string'],
          ['Reason', 'string'],
          ['Object', 'string'],
          ['Message', 'string'],
          ['Subobject', 'string', 1],
          ['Source', 'string', 1],
          ['First Seen', 'string', 1],
          ['Count', 'string', 1],
          ['Name', 'string', 1, 'name'],
        ],
        cells: (o, now) => {
          const io = o.involvedObject ?? {};
          return [
            since(o.lastTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp, now),
            o.type ?? '',
            o.reason ?? '',
            `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`,
            o.message ?? '',
            io.fieldPath ?? '',
            o.source?.component ?? o.reportingComponent ?? '',
            since(o.firstTimestamp ?? o.metadata?.creationTimestamp, now),
            String(o.count ?? 1),
            name(o),
          ];
        },
      };
    case 'PersistentVolumeClaim':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Status', 'string'],
          ['Volume', 'string'],
          ['Capacity', 'string'],
          ['Access Modes', 'string'],
          ['StorageClass', 'string'],
          ['VolumeAttributesClass', 'string'],
          ['Age', 'string'],
        ],
        cells: (o, now) => [
          name(o),
          o.status?.phase ?? 'Pending',
          o.spec?.volumeName ?? '',
          o.status?.capacity?.storage ?? '',
          (o.status?.accessModes ?? []).map((m: string) => (m === 'ReadWriteOnce' ? 'RWO' : m)).join(','),
          o.spec?.storageClassName ?? '<unset>',
          '<unset>',
          age(o, now),
        ],
      };
    case 'CustomResourceDefinition':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Created At', 'date'],
        ],
        cells: (o) => [name(o), o.metadata?.creationTimestamp ?? ''],
      };
    default: {
      const extra: Obj[] = info.printerColumns ?? [];
      return {
        cols: [['Name', 'string', 0, 'name'], ...extra.map((c): Col => [String(c.name), String(c.type ?? 'string'), Number(c.priority ?? 0)]), ['Age', 'date']],
        cells: (o, now) => [
          name(o),
          ...extra.map((c) => {
            const v = jsonPath(o, String(c.jsonPath ?? ''));
            return c.type === 'date' && typeof v === 'string'
              ? since(v, now)
              : v === undefined
                ? ''
                : typeof v === 'object'
                  ? JSON.stringify(v)
                  : (v as string | number);
          }),
          age(o, now),
        ],
      };
    }
  }
}
