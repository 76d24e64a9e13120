// Table columns (pure) of pods and the workload kinds, as `kubectl get` prints them.
import { images, podStatusCells, selectorText, since, humanDuration, none, type Layout } from './table-cells.ts';
import type { Obj } from './types.ts';

function jobStatus(job: Obj): string {
  const conds: Obj[] = job.status?.conditions ?? [];
  const has = (t: string): boolean => conds.some((c) => c.type === t && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.spec?.suspend) return 'Suspended';
  return 'Running';
}

export function workloadLayout(kind: string): Layout | undefined {
  const age = (o: Obj, now: number): string => since(o.metadata?.creationTimestamp, now);
  const name = (o: Obj): string => o.metadata?.name;
  switch (kind) {
    case 'Pod':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Ready', 'string'],
          ['Status', 'string'],
          ['Restarts', 'string'],
          ['Age', 'string'],
          ['IP', 'string', 1],
          ['Node', 'string', 1],
          ['Nominated Node', 'string', 1],
          ['Readiness Gates', 'string', 1],
        ],
        cells: (o, now) => {
          const s = podStatusCells(o, now);
          return [name(o), s.ready, s.status, s.restarts, age(o, now), none(o.status?.podIP), none(o.spec?.nodeName), '<none>', '<none>'];
        },
      };
    case 'Deployment':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Ready', 'string'],
          ['Up-to-date', 'integer'],
          ['Available', 'integer'],
          ['Age', 'string'],
          ['Containers', 'string', 1],
          ['Images', 'string', 1],
          ['Selector', 'string', 1],
        ],
        cells: (o, now) => [
          name(o),
          `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`,
          o.status?.updatedReplicas ?? 0,
          o.status?.availableReplicas ?? 0,
          age(o, now),
          ...images(o.spec?.template),
          selectorText(o.spec?.selector),
        ],
      };
    case 'ReplicaSet':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Desired', 'integer'],
          ['Current', 'integer'],
          ['Ready', 'integer'],
          ['Age', 'string'],
          ['Containers', 'string', 1],
          ['Images', 'string', 1],
          ['Selector', 'string', 1],
        ],
        cells: (o, now) => [
          name(o),
          o.spec?.replicas ?? 0,
          o.status?.replicas ?? 0,
          o.status?.readyReplicas ?? 0,
          age(o, now),
          ...images(o.spec?.template),
          selectorText(o.spec?.selector),
        ],
      };
    case 'StatefulSet':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Ready', 'string'],
          ['Age', 'string'],
          ['Containers', 'string', 1],
          ['Images', 'string', 1],
        ],
        cells: (o, now) => [name(o), `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, age(o, now), ...images(o.spec?.template)],
      };
    case 'DaemonSet':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Desired', 'integer'],
          ['Current', 'integer'],
          ['Ready', 'integer'],
          ['Up-to-date', 'integer'],
          ['Available', 'integer'],
          ['Node Selector', 'string'],
          ['Age', 'string'],
          ['Containers', 'string', 1],
          ['Images', 'string', 1],
          ['Selector', 'string', 1],
        ],
        cells: (o, now) => {
          const s = o.status ?? {};
          const ns = Object.entries(o.spec?.template?.spec?.nodeSelector ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(',');
          return [
            name(o),
            s.desiredNumberScheduled ?? 0,
            s.currentNumberScheduled ?? 0,
            s.numberReady ?? 0,
            s.updatedNumberScheduled ?? 0,
            s.numberAvailable ?? 0,
            ns || '<none>',
            age(o, now),
            ...images(o.spec?.template),
            selectorText(o.spec?.selector),
          ];
        },
      };
    case 'Job':
      return {
        cols: [
          ['Name', 'string', 0, 'name'],
          ['Status', 'string'],
          ['Completions', 'string'],
          ['Duration', 'string'],
          ['Age', 'string'],
          ['Containers', 'string', 1],
          ['Images', 'string', 1],
          ['Selector', 'string', 1],
        ],
        cells: (o, now) => {
          const s = o.status ?? {};
          const end = s.completionTime ? Date.parse(s.completionTime) : now;
          const duration = s.startTime ? humanDuration(end - Date.parse(s.startTime)) : '';
          return [
            name(o),
            jobStatus(o),
            `${s.succeeded ?? 0}/${o.spec?.completions ?? 1}`,
            duration,
            age(o, now),
            ...images(o.spec?.template),
            selectorText(o.spec?.selector),
          ];
        },
      };
    default:
      return undefined;
  }
}
