// Workloads from raw objects (pure): each pod is attached to the workload that owns it
// (pod -> ReplicaSet -> Deployment; StatefulSet, DaemonSet and Job directly); a pod nobody owns
// is a workload of its own. Each workload gets one status and reason, worst pod first.
import { compareWorkloads, workloadKey, type WorkloadKind, type WorkloadSeverity, type WorkloadSummary } from '../protocol/cluster.ts';
import { stampMs, type KObject } from './kube-types.ts';
import { podVerdict, type PodVerdict } from './pod-status.ts';
import { rolloutProgress } from './rollout.ts';

export interface ClusterObjects {
  namespaces: readonly KObject[];
  pods: readonly KObject[];
  deployments: readonly KObject[];
  replicasets: readonly KObject[];
  statefulsets: readonly KObject[];
  daemonsets: readonly KObject[];
  jobs: readonly KObject[];
}

const CONTROLLER_KIND: Record<string, WorkloadKind> = { Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset', Job: 'job' };

function controllerOf(o: KObject): { kind: string; name: string } | undefined {
  const refs = o.metadata?.ownerReferences ?? [];
  return refs.find((r) => r.controller) ?? refs[0];
}

/** The workload key a pod belongs to, following ReplicaSets to their Deployment. */
export function podOwnerKey(pod: KObject, replicaSetOwner: ReadonlyMap<string, string | null>): string {
  const ns = pod.metadata?.namespace ?? '';
  const owner = controllerOf(pod);
  if (owner?.kind === 'ReplicaSet') {
    const deployment = replicaSetOwner.get(`${ns}/${owner.name}`);
    if (deployment) return workloadKey(ns, 'deployment', deployment);
    return workloadKey(ns, 'pod', pod.metadata?.name ?? '');
  }
  const kind = owner ? CONTROLLER_KIND[owner.kind] : undefined;
  return kind && owner ? workloadKey(ns, kind, owner.name) : workloadKey(ns, 'pod', pod.metadata?.name ?? '');
}

export function replicaSetOwners(replicasets: readonly KObject[]): Map<string, string | null> {
  const map = new Map<string, string | null>();
  for (const rs of replicasets) {
    const owner = controllerOf(rs);
    map.set(`${rs.metadata?.namespace ?? ''}/${rs.metadata?.name ?? ''}`, owner?.kind === 'Deployment' ? owner.name : null);
  }
  return map;
}

function desiredOf(kind: WorkloadKind, o: KObject): number {
  switch (kind) {
    case 'deployment':
    case 'statefulset':
      return Number(o.spec?.replicas ?? 1);
    case 'daemonset':
      return Number(o.status?.desiredNumberScheduled ?? 0);
    case 'job':
      return Number(o.spec?.completions ?? 1);
    case 'pod':
      return 1;
  }
}

function imagesOf(template: KObject | undefined): string[] {
  const containers = (template?.spec?.containers as { image?: string }[] | undefined) ?? [];
  return [...new Set(containers.map((c) => c.image ?? '').filter((i) => i !== ''))];
}

const WORST: Record<WorkloadSeverity, number> = { trouble: 0, progressing: 1, ok: 2, done: 3 };

function summarize(kind: WorkloadKind, o: KObject, verdicts: readonly PodVerdict[]): WorkloadSummary {
  const namespace = o.metadata?.namespace ?? '';
  const name = o.metadata?.name ?? '';
  const desired = desiredOf(kind, o);
  const ready = kind === 'job' ? Number(o.status?.succeeded ?? 0) : verdicts.filter((v) => v.ready).length;
  const restarts = verdicts.reduce((n, v) => n + v.restarts, 0);
  const images = kind === 'pod' ? imagesOf(o) : imagesOf(o.spec?.template as KObject | undefined);
  const base = { key: workloadKey(namespace, kind, name), namespace, kind, name, ready, desired, restarts, createdAt: stampMs(o.metadata?.creationTimestamp), images, recreated: kind !== 'pod' };
  const worst = [...verdicts].sort((a, b) => WORST[a.severity] - WORST[b.severity])[0];
  if (kind === 'pod') {
    const v = worst ?? podVerdict(o);
    return { ...base, recreated: podIsRecreated(o), status: v.status, reason: v.reason, severity: v.severity };
  }
  if (worst?.severity === 'trouble') {
    const many = verdicts.filter((v) => v.severity === 'trouble').length;
    return { ...base, status: worst.status, reason: `${worst.reason ?? worst.status}${many > 1 ? ` (${many} pods)` : ''}`, severity: 'trouble' };
  }
  if (kind === 'job') {
    const failed = (o.status?.conditions as { type: string; status: string; message?: string }[] | undefined)?.find((c) => c.type === 'Failed' && c.status === 'True');
    if (failed) return { ...base, status: 'Failed', reason: failed.message ?? 'the job failed', severity: 'trouble' };
    if (ready >= desired) return { ...base, status: 'Completed', reason: null, severity: 'done' };
    return { ...base, status: 'Running', reason: `${ready} of ${desired} ${desired === 1 ? 'completion' : 'completions'}`, severity: 'progressing' };
  }
  const rollout = rolloutProgress(kind, o);
  if (rollout.failed) return { ...base, status: 'RolloutFailed', reason: rollout.message, severity: 'trouble' };
  if (desired === 0) return { ...base, status: 'ScaledDown', reason: null, severity: 'ok' };
  if (!rollout.done) return { ...base, status: 'Progressing', reason: rollout.message, severity: 'progressing' };
  if (ready < desired) return { ...base, status: 'Degraded', reason: `${ready} of ${desired} ${desired === 1 ? 'pod' : 'pods'} ready${worst?.reason ? `; ${worst.reason}` : ''}`, severity: worst?.severity === 'progressing' ? 'progressing' : 'trouble' };
  return { ...base, status: 'Running', reason: null, severity: 'ok' };
}

/** Every workload, trouble first. */
export function buildWorkloads(objects: ClusterObjects): WorkloadSummary[] {
  const rsOwner = replicaSetOwners(objects.replicasets);
  const podsByOwner = new Map<string, KObject[]>();
  for (const pod of objects.pods) {
    const key = podOwnerKey(pod, rsOwner);
    const list = podsByOwner.get(key);
    if (list) list.push(pod);
    else podsByOwner.set(key, [pod]);
  }
  const out: WorkloadSummary[] = [];
  const add = (kind: WorkloadKind, o: KObject, pods: readonly KObject[]) => out.push(summarize(kind, o, pods.map(podVerdict)));
  const controllers: [WorkloadKind, readonly KObject[]][] = [['deployment', objects.deployments], ['statefulset', objects.statefulsets], ['daemonset', objects.daemonsets], ['job', objects.jobs]];
  for (const [kind, list] of controllers) {
    for (const o of list) add(kind, o, podsByOwner.get(workloadKey(o.metadata?.namespace ?? '', kind, o.metadata?.name ?? '')) ?? []);
  }
  for (const pod of objects.pods) {
    // Pods of a controller not (yet) seen are shown once their owner arrives.
    if (podOwnerKey(pod, rsOwner).split('/')[1] === 'pod') add('pod', pod, [pod]);
  }
  return out.sort(compareWorkloads);
}

/** The pods of one workload. */
export function podsOf(key: string, objects: Pick<ClusterObjects, 'pods' | 'replicasets'>): KObject[] {
  const rsOwner = replicaSetOwners(objects.replicasets);
  return objects.pods.filter((p) => podOwnerKey(p, rsOwner) === key);
}

/** Whether deleting this pod is undone by a controller. */
export function podIsRecreated(pod: KObject): boolean {
  return controllerOf(pod) !== undefined;
}

export function ownerChain(pod: KObject, replicasets: readonly KObject[]): string[] {
  const chain = [`Pod/${pod.metadata?.name ?? ''}`];
  const owner = controllerOf(pod);
  if (!owner) return chain;
  chain.push(`${owner.kind}/${owner.name}`);
  if (owner.kind === 'ReplicaSet') {
    const rs = replicasets.find((r) => r.metadata?.namespace === pod.metadata?.namespace && r.metadata?.name === owner.name);
    const up = rs ? controllerOf(rs) : undefined;
    if (up) chain.push(`${up.kind}/${up.name}`);
  }
  return chain;
}

export function namespaceNames(namespaces: readonly KObject[]): string[] {
  return namespaces.map((n) => n.metadata?.name ?? '').filter((n) => n !== '').sort();
}
