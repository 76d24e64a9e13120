// The cluster over HTTP: workloads (trouble first), one workload's detail, restart (operator,
// audited by the action itself), a container's log as a file, recent events.
import type { Request, Response } from 'express';
import { z } from 'zod';
import { requestActor } from '../auth/index.ts';
import { parseBody, parseQuery, type RouteSpec } from '../http/index.ts';
import { OutpostError } from '../lib/errors.ts';
import { MAX_DOWNLOAD_LINES } from '../protocol/logs.ts';
import { RESTARTABLE_KINDS, WORKLOAD_KINDS, workloadKey, type RestartAccepted, type WorkloadDetail, type WorkloadKind, type WorkloadSummary } from '../protocol/cluster.ts';
import { selectEvents } from './events.ts';
import type { KEvent } from './kube-types.ts';
import { kubeError } from './kube-errors.ts';
import type { LiveCluster } from './live-cluster.ts';
import { podInfo } from './pod-status.ts';
import { ownerChain, podsOf } from './workload-model.ts';

export interface ClusterRouteDeps {
  /** Null when no kubeconfig was found. */
  live: Pick<LiveCluster, 'view' | 'actions' | 'downloadLogs'> | null;
  workloads(): WorkloadSummary[];
}

const NAME = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'not a Kubernetes name');
const restartBody = z.object({ confirm: z.boolean().default(false) }).strict();
const logsQuery = z
  .object({
    container: NAME.optional(),
    tailLines: z.coerce.number().int().min(1).max(MAX_DOWNLOAD_LINES).default(500),
    previous: z.enum(['true', 'false']).default('false'),
  })
  .strict();
const eventsQuery = z.object({ type: z.enum(['Warning', 'Normal']).optional(), namespace: NAME.optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }).strict();

function param(req: Request, name: string): string {
  const value = String(req.params[name] ?? '');
  if (!NAME.safeParse(value).success) throw new OutpostError('validation_failed', `${name}: not a Kubernetes name`, { errors: [{ path: name, message: 'not a Kubernetes name' }] });
  return value;
}

function requireLive(deps: ClusterRouteDeps): NonNullable<ClusterRouteDeps['live']> {
  if (!deps.live) throw new OutpostError('cluster_not_configured', 'no Kubernetes cluster is configured on this device (no kubeconfig found)');
  return deps.live;
}

function kindParam(req: Request, allowed: readonly string[]): WorkloadKind {
  const kind = String(req.params.kind ?? '');
  if (!allowed.includes(kind)) throw new OutpostError('validation_failed', `kind must be one of ${allowed.join(', ')}`, { errors: [{ path: 'kind', message: `one of ${allowed.join(', ')}` }] });
  return kind as WorkloadKind;
}

function detail(deps: ClusterRouteDeps, namespace: string, kind: WorkloadKind, name: string): WorkloadDetail {
  const { view } = requireLive(deps);
  const key = workloadKey(namespace, kind, name);
  const workload = deps.workloads().find((w) => w.key === key);
  if (!workload) throw new OutpostError('workload_not_found', `${kind} ${namespace}/${name} does not exist (any more)`);
  const objects = view.objects();
  const pods = podsOf(key, objects).sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  const replicasets = objects.replicasets.filter((r) => r.metadata?.namespace === namespace);
  const kindName = { deployment: 'Deployment', statefulset: 'StatefulSet', daemonset: 'DaemonSet', job: 'Job', pod: 'Pod' }[kind];
  const related = new Set([`${kindName}/${name}`, ...pods.map((p) => `Pod/${p.metadata?.name ?? ''}`), ...replicasets.filter((r) => r.metadata?.ownerReferences?.some((o) => o.name === name)).map((r) => `ReplicaSet/${r.metadata?.name ?? ''}`)]);
  const events = selectEvents(view.caches.events.values() as KEvent[], { namespace, objects: related, limit: 100 });
  return { workload, owners: pods[0] ? ownerChain(pods[0], replicasets) : [`${kindName}/${name}`], pods: pods.map(podInfo), events };
}

export function clusterRoutes(deps: ClusterRouteDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/workloads',
      policy: 'viewer',
      summary: 'every workload with its status and reason, trouble first',
      handler: (_req, res) => {
        res.json({ workloads: deps.workloads() });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/workloads/:namespace/:kind/:name',
      policy: 'viewer',
      summary: 'one workload: its pods, containers and recent events',
      handler: (req, res) => {
        res.json(detail(deps, param(req, 'namespace'), kindParam(req, WORKLOAD_KINDS), param(req, 'name')));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/workloads/:namespace/:kind/:name/restart',
      policy: 'operator',
      summary: 'rollout restart (deployment, statefulset, daemonset) or delete a pod; 202, progress on the feed',
      // The action records its own outcomes; the access layer's refusals are recorded under its name too.
      audit: { action: 'workload.restart', self: true },
      handler: async (req: Request, res: Response) => {
        const live = requireLive(deps);
        const kind = kindParam(req, RESTARTABLE_KINDS) as (typeof RESTARTABLE_KINDS)[number];
        const body = parseBody(restartBody, req.body);
        const actor = requestActor(req, res);
        const action = await live.actions.restart(actor, { namespace: param(req, 'namespace'), kind, name: param(req, 'name'), confirm: body.confirm });
        const answer: RestartAccepted = { action };
        res.status(202).json(answer);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/pods/:namespace/:pod/logs',
      policy: 'viewer',
      summary: "a container's last lines as a text file (tailLines ≤ 10000, previous=true for the crashed one)",
      handler: async (req, res) => {
        const live = requireLive(deps);
        const namespace = param(req, 'namespace');
        const pod = param(req, 'pod');
        const q = parseQuery(logsQuery, req.query);
        const known = live.view.caches.pods.get(namespace, pod);
        const container = q.container ?? (known?.spec?.containers as { name: string }[] | undefined)?.[0]?.name;
        if (!container) throw new OutpostError('workload_not_found', `pod ${namespace}/${pod} does not exist (any more)`);
        const text = await live.downloadLogs({ namespace, pod, container }, { tailLines: q.tailLines, previous: q.previous === 'true' }).catch((e: unknown) => Promise.reject(kubeError(e, `the log of ${namespace}/${pod}/${container}`)));
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="${namespace}_${pod}_${container}${q.previous === 'true' ? '_previous' : ''}_${stamp}.log"`);
        res.send(text);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/events',
      policy: 'viewer',
      summary: 'recent cluster events, newest first (type=Warning for warnings only; namespace=)',
      handler: (req, res) => {
        const live = requireLive(deps);
        const q = parseQuery(eventsQuery, req.query);
        res.json({ events: selectEvents(live.view.caches.events.values() as KEvent[], q) });
      },
    },
  ];
}
