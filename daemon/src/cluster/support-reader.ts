// What the support bundle reads from the cluster, two ways: a running daemon answers from its watch
// caches (no extra load on the API server), the CLI lists each kind once. Both judge trouble with
// the same workload model the Workloads page uses, and read container logs with a deadline and a
// byte limit. Secrets are not a kind either of them can list.
import type { ClusterReader, ContainerRef } from '../support/index.ts';
import type { ClusterStatus } from '../protocol/cluster.ts';
import type { ClusterView } from './cluster-view.ts';
import { connectKube, getJson, resourceSources, withDeadline, type KubeClients, type ResourceName } from './kube-adapter.ts';
import type { KubeconfigChoice } from './kubeconfig.ts';
import type { KObject } from './kube-types.ts';
import { kubeReadMessage } from './kube-errors.ts';
import { downloadLogs } from './logs-adapter.ts';
import { podsOf, workloadModel, type ClusterObjects } from './workload-model.ts';

type Lister = (kind: ResourceName, signal: AbortSignal) => Promise<readonly KObject[]>;

interface ContainerStatus {
  name: string;
  restartCount?: number;
}

const LIST_KINDS: readonly ResourceName[] = ['namespaces', 'pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs'];

/** `work` within `ms` and until `signal` aborts; a failure reads as the API server's own message. */
function abortable<T>(work: Promise<T>, signal: AbortSignal, ms: number): Promise<T> {
  signal.throwIfAborted();
  work = work.catch((error: unknown) => Promise.reject(new Error(kubeReadMessage(error), { cause: error })));
  let onAbort = () => undefined as void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return withDeadline(Promise.race([work, aborted]), ms).finally(() => signal.removeEventListener('abort', onAbort));
}

function readerOver(kube: KubeClients, list: Lister, describe: () => Record<string, unknown>, stabilityMs: number, now: () => number): ClusterReader {
  const objects = async (signal: AbortSignal): Promise<ClusterObjects> => {
    const lists = await Promise.all(LIST_KINDS.map((k) => list(k, signal)));
    const by = Object.fromEntries(LIST_KINDS.map((k, i) => [k, lists[i] ?? []]));
    return by as unknown as ClusterObjects;
  };
  return {
    describe,
    objects: (kind, signal) => list(kind, signal),
    events: (signal) => list('events', signal),
    async workloads(signal) {
      return workloadModel(await objects(signal), { now: now(), stabilityMs }).workloads;
    },
    async troubledContainers(signal) {
      const all = await objects(signal);
      const refs: ContainerRef[] = [];
      for (const workload of workloadModel(all, { now: now(), stabilityMs }).workloads) {
        if (workload.severity !== 'trouble') continue;
        const pods = podsOf(workload.key, all).sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
        for (const pod of pods) {
          const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
          const statuses = [...list<ContainerStatus>(pod.status?.initContainerStatuses), ...list<ContainerStatus>(pod.status?.containerStatuses)];
          const containers = [...list<{ name: string }>(pod.spec?.initContainers), ...list<{ name: string }>(pod.spec?.containers)];
          const reason = [workload.status, workload.reason].filter(Boolean).join(': ');
          for (const c of containers) {
            const restarts = statuses.find((s) => s.name === c.name)?.restartCount ?? 0;
            const name = pod.metadata?.name ?? '';
            refs.push({ namespace: workload.namespace, pod: name, container: c.name, workload: workload.key, reason, restarted: restarts > 0 });
          }
        }
      }
      return refs;
    },
    async containerLog(ref, options, signal) {
      const target = { namespace: ref.namespace, pod: ref.pod, container: ref.container };
      return abortable(downloadLogs(kube, target, { ...options, timestamps: true, deadlineMs: 10_000, signal }), signal, 10_000);
    },
  };
}

/** The Kubernetes server's version (GET /version), within 5 s. */
export async function serverVersion(kube: KubeClients, signal: AbortSignal): Promise<Record<string, unknown>> {
  const info = await abortable(getJson<Record<string, unknown>>(kube, '/version', { signal, timeoutMs: 5000 }), signal, 5000);
  return { gitVersion: info.gitVersion, platform: info.platform, goVersion: info.goVersion, buildDate: info.buildDate };
}

/** Literal credentials of the current kubeconfig user, so the scrubber can remove them wherever they appear. */
export function kubeCredentials(kube: KubeClients): string[] {
  return [...kube.secrets];
}

/** A running daemon's reader: the watch caches, as they are now. */
export function cachedClusterReader(kube: KubeClients, view: ClusterView, status: () => ClusterStatus): ClusterReader {
  return readerOver(
    kube,
    async (kind) => view.caches[kind].values(),
    () => ({ from: 'the daemon’s watch caches', kubeconfig: kube.choice.source, server: kube.server, connection: status(), events: view.caches.events.size }),
    view.stabilityMs,
    () => view.now(),
  );
}

/** What the support bundle gets from the cluster capability. */
export interface ClusterSupport {
  reader: ClusterReader;
  version(signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Literal credentials to scrub (see kubeCredentials). */
  credentials(): string[];
}

export function clusterSupport(kube: KubeClients, reader: ClusterReader): ClusterSupport {
  return { reader, version: (signal) => serverVersion(kube, signal), credentials: () => kubeCredentials(kube) };
}

/** The CLI's reader: each kind listed once (15 s each), remembered for the rest of the bundle. */
export async function listedClusterSupport(choice: KubeconfigChoice, stabilityMs: number): Promise<ClusterSupport> {
  const kube = await connectKube(choice);
  const sources = resourceSources(kube);
  const lists = new Map<ResourceName, Promise<readonly KObject[]>>();
  const list: Lister = (kind, signal) => {
    let pending = lists.get(kind);
    if (!pending) {
      pending = abortable(sources[kind].list().then((r) => r.items), signal, 20_000);
      pending.catch(() => lists.delete(kind));
      lists.set(kind, pending);
    }
    return pending;
  };
  const describe = () => ({ from: 'one list per kind by `outpost support-bundle`', kubeconfig: choice.source, server: kube.server });
  const reader = readerOver(kube, list, describe, stabilityMs, Date.now);
  return clusterSupport(kube, reader);
}
