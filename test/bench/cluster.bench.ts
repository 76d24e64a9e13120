// Cluster bench: the kube-sim with 1,000 pods churning 10 events/s (in this process, so each
// event's birth time is known), the daemon as a child process watching it, and a feed client here.
// Measures the daemon's RSS and CPU while it follows the churn, the time to its first full
// picture, and the latency from a sim event to the matching feed message (warnings; p50/p99).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startKubeSim } from '../kube-sim/index.ts';
import { login, createUser } from '../helpers/auth.ts';
import { spawnDaemon, stopDaemon } from '../helpers/daemon.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';
import type { EventMessage } from '../../daemon/src/protocol/index.ts';
import { cpuSeconds, memory, mb, percentile, QUICK, ratio, sleep, type BenchRow } from './lib.ts';

const PODS = 1000;
const EVENTS_PER_SECOND = 10;

/** The same daemon with no cluster at all (no kubeconfig: the Kubernetes client is not loaded). */
async function baselineRss(): Promise<number> {
  const home = mkdtempSync(path.join(tmpdir(), 'outpost-bench-nocluster-'));
  const daemon = await spawnDaemon({ home, env: { OUTPOST_LOG_LEVEL: 'warn' } });
  try {
    await sleep(2000);
    return memory(daemon.child.pid!).rss;
  } finally {
    await stopDaemon(daemon);
    rmSync(home, { recursive: true, force: true });
  }
}

export default async function clusterBench(): Promise<BenchRow[]> {
  const reference = await baselineRss();
  const home = mkdtempSync(path.join(tmpdir(), 'outpost-bench-cluster-'));
  const sim = await startKubeSim({ port: 0, tickMs: 250, bookmarkMs: 10_000, timing: { readyAfterMs: 200 } });
  const born = new Map<string, number>();
  const record = sim.cluster.events.record.bind(sim.cluster.events);
  sim.cluster.events.record = (obj, type, reason, message, source, fieldPath) => {
    if (message.startsWith('churn event')) born.set(message, performance.timeOrigin + performance.now());
    record(obj, type, reason, message, source, fieldPath);
  };
  const stopChurnPods = sim.cluster.churn({ pods: PODS, eventsPerSecond: 0 });
  stopChurnPods();
  const kubeconfig = path.join(home, 'kubeconfig');
  writeFileSync(kubeconfig, sim.kubeconfig());
  await createUser(home, 'bench', 'viewer');
  const started = Date.now();
  const daemon = await spawnDaemon({ home, env: { OUTPOST_KUBECONFIG: kubeconfig, OUTPOST_LOG_LEVEL: 'warn' } });
  const rows: BenchRow[] = [];
  try {
    const session = await login(daemon.url, 'bench');
    const client = await TestFeedClient.open(daemon.url, session.feed());
    // Wait for the full picture: every churn pod listed.
    let snapshotBytes = 0;
    for (;;) {
      const res = await fetch(new URL('/api/v1/workloads', daemon.url), { headers: session.auth() });
      const text = await res.text();
      if ((text.match(/"churn\/pod\//g) ?? []).length >= PODS) {
        snapshotBytes = text.length;
        break;
      }
      if (Date.now() - started > 60_000) throw new Error('the daemon did not list the 1,000 pods within 60 s');
      await sleep(100);
    }
    const firstPicture = Date.now() - started;
    client.send({ type: 'subscribe', topic: 'cluster' });
    await client.waitFor((m) => m.type === 'snapshot', { timeoutMs: 30_000 });
    await sleep(1000);

    const seconds = QUICK ? 10 : 45;
    const latencies: number[] = [];
    const from = client.messages.length;
    const pid = daemon.child.pid!;
    const cpu0 = cpuSeconds(pid);
    const t0 = Date.now();
    const stopChurn = sim.cluster.churn({ pods: PODS, eventsPerSecond: EVENTS_PER_SECOND });
    const seen = new Set<string>();
    const onMessage = (): void => {
      for (const m of client.messages.slice(from)) {
        const e = (m as EventMessage<'cluster'>).event;
        if (m.type !== 'event' || e?.kind !== 'cluster.warning.v1' || seen.has(e.event.message)) continue;
        seen.add(e.event.message);
        const birth = born.get(e.event.message);
        if (birth !== undefined) latencies.push(performance.timeOrigin + performance.now() - birth);
      }
    };
    client.socket.on('message', onMessage);
    let rssPeak = 0;
    while (Date.now() - t0 < seconds * 1000) {
      await sleep(1000);
      rssPeak = Math.max(rssPeak, memory(pid).rss);
    }
    stopChurn();
    const cpuPercent = ((cpuSeconds(pid) - cpu0) / ((Date.now() - t0) / 1000)) * 100;
    const rss = memory(pid).rss;
    client.close();
    latencies.sort((a, b) => a - b);
    const label = `${PODS} pods, ${EVENTS_PER_SECOND} events/s`;
    rows.push(
      { name: `cluster: daemon RSS, ${label}`, value: mb(rss), reference: `${mb(reference)} (no cluster)`, ratio: ratio(rss, reference), note: `peak ${mb(rssPeak)} over ${seconds} s; @kubernetes/client-node alone is ~90 MB` },
      { name: `cluster: daemon CPU, ${label}`, value: `${cpuPercent.toFixed(1)} % of a core`, goal: '< 10 %' },
      { name: `cluster: sim event -> feed p50, ${label}`, value: `${percentile(latencies, 50).toFixed(1)} ms`, note: `${latencies.length} warnings measured` },
      { name: `cluster: sim event -> feed p99, ${label}`, value: `${percentile(latencies, 99).toFixed(1)} ms`, goal: '< 500 ms' },
      { name: `cluster: start to full picture, ${PODS} pods`, value: `${firstPicture} ms`, note: `GET /api/v1/workloads ${mb(snapshotBytes)}` },
    );
  } finally {
    await stopDaemon(daemon);
    await sim.stop();
    rmSync(home, { recursive: true, force: true });
  }
  return rows;
}
