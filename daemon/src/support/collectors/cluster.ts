// Collectors for the cluster: the watched objects (kinds in CLUSTER_KINDS only: never Secrets or
// ConfigMaps), the events, and the last lines of every container of the workloads in trouble.
// They read through a ClusterReader, which the daemon backs with its watch caches and the CLI with
// one list per kind; either way every object is redacted before it is written.
import { CLUSTER_KINDS, redactKubeObject, type ClusterKind } from '../redact-pure.ts';
import type { SectionWriter, SupportCollector } from '../types.ts';

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
  /** The workload in trouble it belongs to (`namespace/kind/name`) and why it is in trouble. */
  workload: string;
  reason: string;
  /** Whether an earlier instance of the container exists (it restarted): its last lines too. */
  restarted: boolean;
}

export interface ClusterReader {
  /** Where the credentials came from and which server (never the credentials themselves). */
  describe(): Record<string, unknown>;
  objects(kind: ClusterKind, signal: AbortSignal): Promise<readonly unknown[]>;
  events(signal: AbortSignal): Promise<readonly unknown[]>;
  /** Every workload as the Workloads page shows it (status, reason, severity). */
  workloads(signal: AbortSignal): Promise<readonly unknown[]>;
  /** The containers of the workloads in trouble, trouble first. */
  troubledContainers(signal: AbortSignal): Promise<readonly ContainerRef[]>;
  containerLog(ref: ContainerRef, options: { tailLines: number; previous: boolean; limitBytes: number }, signal: AbortSignal): Promise<string>;
}

/** Why there is no cluster section (no kubeconfig, or it could not be loaded). */
export type ClusterAvailability = { reader: ClusterReader } | { reader: null; reason: string };

function byName(a: unknown, b: unknown): number {
  const key = (o: unknown) => {
    const m = (o as { metadata?: { namespace?: string; name?: string } } | null)?.metadata;
    return `${m?.namespace ?? ''}/${m?.name ?? ''}`;
  };
  return key(a).localeCompare(key(b));
}

function unavailable(out: SectionWriter, reason: string): void {
  out.skip('*', reason);
}

export function clusterObjectsCollector(cluster: ClusterAvailability): SupportCollector {
  return {
    section: 'cluster',
    title: 'cluster objects from the watch caches (redacted; no Secrets), workload summaries',
    share: 0.2,
    deadlineMs: 45_000,
    async collect(out) {
      if (!cluster.reader) return unavailable(out, cluster.reason);
      const reader = cluster.reader;
      await out.json('connection.json', reader.describe());
      try {
        await out.json('workloads.json', await reader.workloads(out.signal));
      } catch (error) {
        out.skip('workloads.json', (error as Error).message);
      }
      for (const kind of CLUSTER_KINDS) {
        let items: readonly unknown[];
        try {
          items = await reader.objects(kind, out.signal);
        } catch (error) {
          out.skip(`${kind}.jsonl`, (error as Error).message);
          continue;
        }
        const sorted = [...items].sort(byName);
        await out.jsonLines(`${kind}.jsonl`, (function* () {
          for (const item of sorted) yield redactKubeObject(item);
        })());
      }
    },
  };
}

export function eventsCollector(cluster: ClusterAvailability): SupportCollector {
  return {
    section: 'events',
    title: 'Kubernetes events (newest last)',
    share: 0.05,
    deadlineMs: 30_000,
    async collect(out) {
      if (!cluster.reader) return unavailable(out, cluster.reason);
      const events = [...(await cluster.reader.events(out.signal))].sort((a, b) => eventTime(a) - eventTime(b) || byName(a, b));
      // The newest matter most: when the section is full, older events are the ones left out.
      await out.add('events.jsonl', (function* () {
        for (const event of events) yield `${JSON.stringify(redactKubeObject(event))}\n`;
      })(), { keep: 'tail' });
    },
  };
}

function eventTime(event: unknown): number {
  const e = event as { lastTimestamp?: string; eventTime?: string; firstTimestamp?: string; metadata?: { creationTimestamp?: string } };
  for (const stamp of [e.lastTimestamp, e.eventTime, e.firstTimestamp, e.metadata?.creationTimestamp]) {
    const ms = stamp ? Date.parse(String(stamp)) : Number.NaN;
    if (Number.isFinite(ms)) return ms;
  }
  return 0;
}

export interface ContainerLogsOptions {
  /** Lines per container (and per previous instance). */
  tailLines?: number;
  /** Containers at most, trouble first. */
  maxContainers?: number;
  /** Bytes per log at most. */
  maxBytesPerLog?: number;
}

export function containerLogsCollector(cluster: ClusterAvailability, options: ContainerLogsOptions = {}): SupportCollector {
  const tailLines = options.tailLines ?? 500;
  const maxContainers = options.maxContainers ?? 40;
  const maxBytesPerLog = options.maxBytesPerLog ?? 1 << 20;
  return {
    section: 'container-logs',
    title: `the last ${tailLines} lines of every container of the workloads in trouble (and of its previous instance)`,
    share: 0.25,
    deadlineMs: 90_000,
    async collect(out) {
      if (!cluster.reader) return unavailable(out, cluster.reason);
      const reader = cluster.reader;
      const containers = await reader.troubledContainers(out.signal);
      if (containers.length === 0) out.note('no workload is in trouble');
      const listed = containers.map((c) => ({ ...c, pod: `${c.namespace}/${c.pod}`, namespace: undefined }));
      await out.json('troubled.json', listed);
      if (containers.length > maxContainers) out.note(`${containers.length} containers are in trouble; the first ${maxContainers} are included`);
      for (const ref of containers.slice(0, maxContainers)) {
        for (const previous of ref.restarted ? [true, false] : [false]) {
          const name = `${ref.namespace}/${ref.pod}/${ref.container}${previous ? '.previous' : ''}.log`;
          if (out.signal.aborted) return;
          try {
            const text = await reader.containerLog(ref, { tailLines, previous, limitBytes: Math.min(maxBytesPerLog, out.remaining) }, out.signal);
            await out.add(name, text, { keep: 'tail', maxBytes: maxBytesPerLog });
          } catch (error) {
            out.skip(name, `the API server did not give the log: ${(error as Error).message}`);
          }
        }
      }
    },
  };
}
