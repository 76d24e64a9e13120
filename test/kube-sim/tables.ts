// meta.k8s.io/v1 Table rendering (pure), following the columns and cell rules of the API server's
// printers (pkg/printers/internalversion) for the kinds the sim serves.
import type { ResourceInfo } from './resources.ts';
import { extraLayout } from './tables-extra.ts';
import type { KObject, Obj } from './types.ts';

export type Col = [name: string, type: string, priority?: number, format?: string];
export type Cells = (string | number)[];
export interface Layout {
  cols: Col[];
  cells: (o: Obj, now: number) => Cells;
}

/** k8s.io/apimachinery duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

export const since = (ts: string | undefined, now: number): string => (ts ? humanDuration(now - Date.parse(ts)) : '<unknown>');
export const none = (v: unknown): string => (v === undefined || v === null || v === '' ? '<none>' : String(v));

export function podStatusCells(pod: Obj, now: number): { ready: string; status: string; restarts: string } {
  const spec = pod.spec ?? {};
  const st = pod.status ?? {};
  let reason: string = st.reason || st.phase || 'Pending';
  let restarts = 0;
  let ready = 0;
  let lastRestart = 0;
  let hasRunning = false;
  let initializing = false;
  const inits: Obj[] = st.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i] ?? {};
    restarts += Number(c.restartCount ?? 0);
    if (c.state?.terminated && c.state.terminated.exitCode === 0) continue;
    if (c.state?.terminated) reason = c.state.terminated.reason ? `Init:${c.state.terminated.reason}` : `Init:ExitCode:${c.state.terminated.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    initializing = true;
    break;
  }
  const statuses: Obj[] = initializing ? [] : (st.containerStatuses ?? []);
  for (let i = statuses.length - 1; i >= 0; i--) {
    const c = statuses[i] ?? {};
    restarts += Number(c.restartCount ?? 0);
    const finished = c.lastState?.terminated?.finishedAt;
    if (finished) lastRestart = Math.max(lastRestart, Date.parse(finished));
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
    else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
    else if (c.ready && c.state?.running) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === 'Completed' && hasRunning) {
    reason = (st.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }
  if (pod.metadata?.deletionTimestamp) reason = 'Terminating';
  const restartText = restarts !== 0 && lastRestart ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return { ready: `${ready}/${(spec.containers ?? []).length}`, status: reason, restarts: restartText };
}

export const images = (tpl: Obj | undefined): [string, string] => {
  const cs: Obj[] = tpl?.spec?.containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
};

export const selectorText = (sel: Obj | undefined): string => {
  const parts = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) parts.push(`${e.key} ${String(e.operator).toLowerCase()} (${(e.values ?? []).join(',')})`);
  return parts.length ? parts.join(',') : '<none>';
};

function servicePorts(svc: Obj): string {
  const ports: Obj[] = svc.spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

function jobStatus(job: Obj): string {
  const conds: Obj[] = job.status?.conditions ?? [];
  const has = (t: string): boolean => conds.some((c) => c.type === t && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.spec?.suspend) return 'Suspended';
  return 'Running';
}

/** A tiny JSONPath for CRD printer columns: `.a.b.c` and `.a[0].b`. */
function jsonPath(obj: unknown, path: string): unknown {
  let node: unknown = obj;
  for (const part of path.replace(/^\./, '').split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Obj)[part];
  }
  return node;
}

function layout(info: ResourceInfo): Layout {
  const extra = extraLayout(info.kind, info.custom);
  if (extra) return extra;
  const age = (o: Obj, now: number): string => since(o.metadata?.creationTimestamp, now);
  const name = (o: Obj): string => o.metadata?.name;
  switch (info.kind) {
    case 'Pod':
      return {
        cols: [['Name', 'string', 0, 'name'], ['Ready', 'string'], ['Status', 'string'], ['Restarts', 'string'], ['Age', 'string'], ['IP', 'string', 1], ['Node', 'string', 1], ['Nominated Node', 'string', 1], ['Readiness Gates', 'string', 1]],
        cells: (o, now) => {
          const s = podStatusCells(o, now);
          return [name(o), s.ready, s.status, s.restarts, age(o, now), none(o.status?.podIP), none(o.spec?.nodeName), '<none>', '<none>'];
        },
      };
    case 'Deployment':
      return {
        cols: [['Name', 'string', 0, 'name'], ['Ready', 'string'], ['Up-to-date', 'integer'], ['Available', 'integer'], ['Age', 'string'], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
        cells: (o, now) => [name(o), `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, o.status?.updatedReplicas ?? 0, o.status?.availableReplicas ?? 0, age(o, now), ...images(o.spec?.template), selectorText(o.spec?.selector)],
      };
    case 'ReplicaSet':
      return {
        cols: [['Name', 'string', 0, 'name'], ['Desired', 'integer'], ['Current', 'integer'], ['Ready', 'integer'], ['Age', 'string'], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
        cells: (o, now) => [name(o), o.spec?.replicas ?? 0, o.status?.replicas ?? 0, o.status?.readyReplicas ?? 0, age(o, now), ...images(o.spec?.template), selectorText(o.spec?.selector)],
      };
    case 'StatefulSet':
      return {
        cols: [['Name', 'string', 0, 'name'], ['Ready', 'string'], ['Age', 'string'], ['Containers', 'string', 1], ['Images', 'string', 1]],
        cells: (o, now) => [name(o), `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, age(o, now), ...images(o.spec?.template)],
      };
    case 'DaemonSet':
      return {
        cols: [['Name', 'string', 0, 'name'], ['Desired', 'integer'], ['Current', 'integer'], ['Ready', 'integer'], ['Up-to-date', 'integer'], ['Available', 'integer'], ['Node Selector', 'string'], ['Age', 'string'], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
        cells: (o, now) => {
          const s = o.status ?? {};
          const ns = Object.entries(o.spec?.template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
          return [name(o), s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0, s.numberAvailable ?? 0, ns || '<none>', age(o, now), ...images(o.spec?.template), selectorText(o.spec?.selector)];
        },
      };
    case 'Job':
      return {
        cols: [['Name', 'string', 0, 'name'], ['Status', 'string'], ['Completions', 'string'], ['Duration', 'string'], ['Age', 'string'], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
        cells: (o, now) => {
          const s = o.status ?? {};
          const end = s.completionTime ? Date.parse(s.completionTime) : now;
          const duration = s.startTime ? humanDuration(end - Date.parse(s.startTime)) : '';
          return [name(o), jobStatus(o), `${s.succeeded ?? 0}/${o.spec?.completions ?? 1}`, duration, age(o, now), ...images(o.spec?.template), selectorText(o.spec?.selector)];
        },
      };
    case 'Service':
      return {
        cols: [['Name', 'string', 0, 'name'], ['Type', 'string'], ['Cluster-IP', 'string'], ['External-IP', 'string'], ['Port(s)', 'string'], ['Age', 'string'], ['Selector', 'string', 1]],
        cells: (o, now) => [name(o), o.spec?.type ?? 'ClusterIP', none(o.spec?.clusterIP), (o.status?.loadBalancer?.ingress ?? []).map((i: Obj) => i.ip).join(',') || '<none>', servicePorts(o), age(o, now), Object.entries(o.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'],
      };
    case 'Namespace':
      return { cols: [['Name', 'string', 0, 'name'], ['Status', 'string'], ['Age', 'string']], cells: (o, now) => [name(o), o.status?.phase ?? 'Active', age(o, now)] };
    case 'Node':
      return {
        cols: [['Name', 'string', 0, 'name'], ['Status', 'string'], ['Roles', 'string'], ['Age', 'string'], ['Version', 'string'], ['Internal-IP', 'string', 1], ['External-IP', 'string', 1], ['OS-Image', 'string', 1], ['Kernel-Version', 'string', 1], ['Container-Runtime', 'string', 1]],
        cells: (o, now) => {
          const ready = (o.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
          const roles = Object.keys(o.metadata?.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length)).sort();
          const info2 = o.status?.nodeInfo ?? {};
          const addr = (t: string): string => none((o.status?.addresses ?? []).find((a: Obj) => a.type === t)?.address);
          return [name(o), ready?.status === 'True' ? 'Ready' : 'NotReady', roles.join(',') || '<none>', age(o, now), info2.kubeletVersion ?? '', addr('InternalIP'), addr('ExternalIP'), info2.osImage ?? '', info2.kernelVersion ?? '', info2.containerRuntimeVersion ?? ''];
        },
      };
    case 'ConfigMap':
      return { cols: [['Name', 'string', 0, 'name'], ['Data', 'integer'], ['Age', 'string']], cells: (o, now) => [name(o), Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o, now)] };
    case 'Secret':
      return { cols: [['Name', 'string', 0, 'name'], ['Type', 'string'], ['Data', 'integer'], ['Age', 'string']], cells: (o, now) => [name(o), o.type ?? 'Opaque', Object.keys(o.data ?? {}).length, age(o, now)] };
    case 'ServiceAccount':
      return { cols: [['Name', 'string', 0, 'name'], ['Secrets', 'integer'], ['Age', 'string']], cells: (o, now) => [name(o), (o.secrets ?? []).length, age(o, now)] };
    case 'Event':
      return {
        cols: [['Last Seen', 'string'], ['Type', 'string'], ['Reason', 'string'], ['Object', 'string'], ['Message', 'string'], ['Subobject', 'string', 1], ['Source', 'string', 1], ['First Seen', 'string', 1], ['Count', 'string', 1], ['Name', 'string', 1, 'name']],
        cells: (o, now) => {
          const io = o.involvedObject ?? {};
          return [since(o.lastTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp, now), o.type ?? '', o.reason ?? '', `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`, o.message ?? '', io.fieldPath ?? '', o.source?.component ?? o.reportingComponent ?? '', since(o.firstTimestamp ?? o.metadata?.creationTimestamp, now), String(o.count ?? 1), name(o)];
        },
      };
    case 'PersistentVolumeClaim':
      return {
        cols: [['Name', 'string', 0, 'name'], ['Status', 'string'], ['Volume', 'string'], ['Capacity', 'string'], ['Access Modes', 'string'], ['StorageClass', 'string'], ['VolumeAttributesClass', 'string'], ['Age', 'string']],
        cells: (o, now) => [name(o), o.status?.phase ?? 'Pending', o.spec?.volumeName ?? '', o.status?.capacity?.storage ?? '', (o.status?.accessModes ?? []).map((m: string) => (m === 'ReadWriteOnce' ? 'RWO' : m)).join(','), o.spec?.storageClassName ?? '<unset>', '<unset>', age(o, now)],
      };
    case 'CustomResourceDefinition':
      return { cols: [['Name', 'string', 0, 'name'], ['Created At', 'date']], cells: (o) => [name(o), o.metadata?.creationTimestamp ?? ''] };
    default: {
      const extra: Obj[] = info.printerColumns ?? [];
      return {
        cols: [['Name', 'string', 0, 'name'], ...extra.map((c): Col => [String(c.name), String(c.type ?? 'string'), Number(c.priority ?? 0)]), ['Age', 'date']],
        cells: (o, now) => [name(o), ...extra.map((c) => {
          const v = jsonPath(o, String(c.jsonPath ?? ''));
          return c.type === 'date' && typeof v === 'string' ? since(v, now) : v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : (v as string | number);
        }), age(o, now)],
      };
    }
  }
}

function partial(obj: KObject): Obj {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(info: ResourceInfo, objects: KObject[], now: number, options: { includeObject?: string; resourceVersion?: string; continue?: string; noHeaders?: boolean } = {}): Obj {
  const { cols, cells } = layout(info);
  const mode = options.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: options.resourceVersion ?? '', ...(options.continue ? { continue: options.continue } : {}) },
    ...(options.noHeaders ? {} : { columnDefinitions: cols.map(([name, type, priority = 0, format = '']) => ({ name, type, format, description: '', priority })) }),
    rows: objects.map((o) => ({ cells: cells(o, now), object: mode === 'None' ? undefined : mode === 'Object' ? o : partial(o) })),
  };
}
