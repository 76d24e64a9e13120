// Workloads from raw objects (pure): each pod is attached to the workload that owns it
// (pod -> ReplicaSet -> Deployment; StatefulSet, DaemonSet and Job directly); a pod nobody owns
// is a workload of its own. Each workload gets one status and reason, worst pod first.
// Healthy means settled (settled.ts): a container that failed within the crash memory keeps its
// workload in trouble even while it briefly runs between crashes, and a workload that is ready
// but has not been stable for the window yet is still settling. Both depend on `now`, so the
// model also says when its answer will next change by itself (`nextChangeAt`).
import { compareWorkloads, workloadKey, type WorkloadKind, type WorkloadSeverity, type WorkloadSummary } from '../protocol/cluster.ts';
import { stampMs, type KObject } from './kube-types.ts';
import { podVerdict } from './pod-status.ts';
import { rolloutProgress } from './rollout.ts';
import { containerProblems, DEFAULT_STABILITY_MS, settledVerdict, type ContainerProblem } from './settled.ts';

/** A failed container counts against its workload this long: the kubelet's own crash back-off reset period. */
export const CRASH_MEMORY_MS = 10 * 60_000;

export interface WorkloadModelOptions {
  /** Unix ms; without it nothing time-dependent is judged (every past crash is history). */
  now?: number;
  stabilityMs?: number;
}

export interface WorkloadModel {
  workloads: WorkloadSummary[];
  /** Unix ms when some verdict changes by itself (a crash leaves the memory, a workload settles), or null. */
  nextChangeAt: number | null;
}

interface Clock {
  now: number;
  stabilityMs: number;
  next: number;
}

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

/** The most recent failed exit within the crash memory, among containers running again between crashes. */
function recentCrash(pods: readonly KObject[], clock: Clock): ContainerProblem | null {
  let latest: ContainerProblem | null = null;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    for (const p of containerProblems(pod, clock.now - CRASH_MEMORY_MS)) {
      if (p.finishedAt === null) continue;
      clock.next = Math.min(clock.next, p.finishedAt + CRASH_MEMORY_MS);
      if (!latest || p.finishedAt > (latest.finishedAt ?? 0)) latest = p;
    }
  }
  return latest;
}

function crashSummary(p: ContainerProblem): { status: string; reason: string } {
  const exit = `last exit code ${p.exitCode ?? '?'} (${p.reason || 'Error'})`;
  const times = `${p.restarts} time${p.restarts === 1 ? '' : 's'}`;
  return { status: p.restarts >= 2 ? 'CrashLoopBackOff' : 'Crashed', reason: `${p.container}: ${exit}, restarted ${times}` };
}

function summarize(kind: WorkloadKind, o: KObject, pods: readonly KObject[], clock: Clock | null): WorkloadSummary {
  const verdicts = pods.map(podVerdict);
  const namespace = o.metadata?.namespace ?? '';
  const name = o.metadata?.name ?? '';
  const desired = desiredOf(kind, o);
  const ready = kind === 'job' ? Number(o.status?.succeeded ?? 0) : verdicts.filter((v) => v.ready).length;
  const restarts = verdicts.reduce((n, v) => n + v.restarts, 0);
  const images = kind === 'pod' ? imagesOf(o) : imagesOf(o.spec?.template as KObject | undefined);
  const base = { key: workloadKey(namespace, kind, name), namespace, kind, name, ready, desired, restarts, createdAt: stampMs(o.metadata?.creationTimestamp), images, recreated: kind !== 'pod' };
  const worst = [...verdicts].sort((a, b) => WORST[a.severity] - WORST[b.severity])[0];
  const crash = clock && kind !== 'job' && worst?.severity !== 'trouble' ? recentCrash(pods, clock) : null;
  if (crash) return { ...base, ...crashSummary(crash), recreated: kind === 'pod' ? podIsRecreated(o) : true, severity: 'trouble' };
  if (kind === 'pod') {
    const v = worst ?? podVerdict(o);
    return settling({ ...base, recreated: podIsRecreated(o), status: v.status, reason: v.reason, severity: v.severity }, kind, o, pods, clock);
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
  return settling({ ...base, status: 'Running', reason: null, severity: 'ok' }, kind, o, pods, clock);
}

/** A running workload is only `ok` once it has been stable for the window (settled.ts). */
function settling(summary: WorkloadSummary, kind: WorkloadKind, o: KObject, pods: readonly KObject[], clock: Clock | null): WorkloadSummary {
  if (!clock || summary.severity !== 'ok') return summary;
  const verdict = settledVerdict(kind, o, pods, { now: clock.now, stabilityMs: clock.stabilityMs, since: clock.now - CRASH_MEMORY_MS });
  if (verdict.state !== 'settling' || verdict.settlesAt === null) return summary;
  clock.next = Math.min(clock.next, verdict.settlesAt);
  return { ...summary, severity: 'progressing', reason: `ready; settling (healthy once nothing restarts for ${Math.round(clock.stabilityMs / 1000)} s)` };
}

/** Every workload, trouble first. */
export function buildWorkloads(objects: ClusterObjects, options: WorkloadModelOptions = {}): WorkloadSummary[] {
  return workloadModel(objects, options).workloads;
}

/** Every workload, trouble first, and when the answer changes by itself. */
export function workloadModel(objects: ClusterObjects, options: WorkloadModelOptions = {}): WorkloadModel {
  const stabilityMs = options.stabilityMs ?? DEFAULT_STABILITY_MS;
  const clock: Clock | null = options.now === undefined ? null : { now: options.now, stabilityMs, next: Number.POSITIVE_INFINITY };
  const rsOwner = replicaSetOwners(objects.replicasets);
  const podsByOwner = new Map<string, KObject[]>();
  for (const pod of objects.pods) {
    const key = podOwnerKey(pod, rsOwner);
    const list = podsByOwner.get(key);
    if (list) list.push(pod);
    else podsByOwner.set(key, [pod]);
  }
  const out: WorkloadSummary[] = [];
  const add = (kind: WorkloadKind, o: KObject, pods: readonly KObject[]) => out.push(summarize(kind, o, pods, clock));
  const controllers: [WorkloadKind, readonly KObject[]][] = [['deployment', objects.deployments], ['statefulset', objects.statefulsets], ['daemonset', objects.daemonsets], ['job', objects.jobs]];
  for (const [kind, list] of controllers) {
    for (const o of list) add(kind, o, podsByOwner.get(workloadKey(o.metadata?.namespace ?? '', kind, o.metadata?.name ?? '')) ?? []);
  }
  for (const pod of objects.pods) {
    // Pods of a controller not (yet) seen are shown once their owner arrives.
    if (podOwnerKey(pod, rsOwner).split('/')[1] === 'pod') add('pod', pod, [pod]);
  }
  const next = clock?.next ?? Number.POSITIVE_INFINITY;
  return { workloads: out.sort(compareWorkloads), nextChangeAt: Number.isFinite(next) ? next : null };
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
