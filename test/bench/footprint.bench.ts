// Footprint of the INSTALLED web process (issue 14): the release archive built for this machine and
// installed with its install.sh into a temp tree (footprint-install.ts), `outpost serve` from that
// tree watching a 200-pod sim with the read-only web identity (footprint-fleet.ts), 5 feed clients
// subscribed to what the Overview and Kiosk pages show, idle. Side by side in the same window and on
// the release's own Node: a bare `node -e 'setInterval(()=>{},1e3)'` (the RSS reference) and the
// minimal /proc reader (the CPU reference). Also cold start to /healthz, the archive's size, the
// web process without a cluster, and what each top-level dependency costs to import.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createUser, login } from '../helpers/auth.ts';
import { stopDaemon, type SpawnedDaemon } from '../helpers/daemon.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';
import { startInstalled } from '../release/installed.ts';
import { installedTree, type InstalledTree } from './footprint-install.ts';
import { FLEET_PODS, FLEET_WORKLOADS, startFleet } from './footprint-fleet.ts';
import { cpuSecondsByThread, mb, median, memory, preciseCpuSeconds, QUICK, ratio, sleep, type BenchRow } from './lib.ts';

const READER = fileURLToPath(new URL('./minimal-proc-reader.ts', import.meta.url));
const MODULE_COST = fileURLToPath(new URL('./module-cost-child.ts', import.meta.url));
const CLIENTS = 5;
const TOPICS = ['status', 'health', 'system', 'cluster'] as const;
const RSS_GOAL = 2.4;
const CPU_GOAL = 1.5;
const run = promisify(execFile);

function startReference(node: string, args: string[]): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start within 30 s`)), 30_000);
    child.stdout!.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { child, ready };
}

/** Spawn -> first 200 from /healthz, in ms (the daemon keeps running). */
async function coldStart(tree: InstalledTree, env: NodeJS.ProcessEnv): Promise<{ daemon: SpawnedDaemon; ms: number }> {
  const started = performance.now();
  const daemon = await startInstalled(tree.root, { args: ['--with-agent'], env });
  for (;;) {
    const res = await fetch(new URL('/healthz', daemon.url), { signal: AbortSignal.timeout(5000) }).catch(() => null);
    if (res?.status === 200) return { daemon, ms: performance.now() - started };
    if (performance.now() - started > 60_000) throw new Error('/healthz did not answer 200 within 60 s');
    await sleep(5);
  }
}

async function waitSettled(url: string, auth: Record<string, string>): Promise<number> {
  const started = Date.now();
  for (;;) {
    const res = await fetch(new URL('/api/v1/workloads', url), { headers: auth, signal: AbortSignal.timeout(10_000) });
    const { workloads } = (await res.json()) as { workloads: { severity: string }[] };
    if (workloads.length >= FLEET_WORKLOADS && workloads.every((w) => w.severity === 'ok')) return Date.now() - started;
    if (Date.now() - started > 180_000) throw new Error(`the ${FLEET_WORKLOADS} workloads did not all settle within 180 s`);
    await sleep(1000);
  }
}

async function moduleCosts(tree: InstalledTree): Promise<BenchRow[]> {
  const modules = ['@kubernetes/client-node', 'express', 'ws', 'pino', 'prom-client', 'zod', 'yaml', 'semver', 'tar-stream', './daemon/src/cli/serve.js'];
  const { stdout } = await run(tree.node, [MODULE_COST, ...modules], { cwd: tree.release, timeout: 300_000 });
  const { base, costs } = JSON.parse(stdout) as { base: { rss: number }; costs: { module: string; rss: number; heap: number }[] };
  return costs.map((c) => ({ name: `import cost: ${c.module}`, value: `+${mb(c.rss)} RSS`, reference: `${mb(base.rss)} (Node importing nothing)`, note: `+${mb(c.heap)} V8 heap` }));
}

export default async function footprintBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const tree = await installedTree();
  const fleet = await startFleet();
  const references: ChildProcess[] = [];
  let daemon: SpawnedDaemon | undefined;
  const clients: TestFeedClient[] = [];
  try {
    const home = path.join(tree.root, 'var/lib/outpost');
    const kubeconfig = path.join(tree.root, 'etc/outpost/web.kubeconfig');
    writeFileSync(kubeconfig, fleet.webKubeconfig, { mode: 0o600 });
    await createUser(home, 'bench', 'viewer');

    // Without a cluster first: what the process costs on its own.
    const bare = await coldStart(tree, { OUTPOST_KUBECONFIG: 'none' });
    await sleep(QUICK ? 5000 : 15_000);
    const noClusterRss = memory(bare.daemon.child.pid!).rss;
    await stopDaemon(bare.daemon);

    // Cold starts with the cluster configured; the last one stays up and is measured.
    const env = { OUTPOST_KUBECONFIG: kubeconfig };
    const starts: number[] = [bare.ms];
    for (let i = 0; i < 3; i++) {
      const start = await coldStart(tree, env);
      starts.push(start.ms);
      if (i < 2) await stopDaemon(start.daemon);
      else daemon = start.daemon;
    }
    const web = daemon!;

    const idle = startReference(tree.node, ['-e', 'setInterval(()=>{},1e3); process.stdout.write("ready\\n")']);
    const reader = startReference(tree.node, [READER]);
    references.push(idle.child, reader.child);

    for (let i = 0; i < CLIENTS; i++) {
      const session = await login(web.url, 'bench');
      const client = await TestFeedClient.open(web.url, session.feed());
      for (const topic of TOPICS) client.send({ type: 'subscribe', topic });
      clients.push(client);
    }
    for (const client of clients) {
      for (const topic of TOPICS) await client.waitFor((m) => m.type === 'snapshot' && m.topic === topic, { timeoutMs: 30_000 });
    }
    const session = await login(web.url, 'bench');
    const settleMs = await waitSettled(web.url, session.auth());
    await Promise.all([idle.ready, reader.ready]);
    await sleep(QUICK ? 5000 : 15_000);

    const seconds = QUICK ? 20 : 60;
    const pids = { web: web.child.pid!, idle: idle.child.pid!, reader: reader.child.pid! };
    const cpu0 = { web: preciseCpuSeconds(pids.web), reader: preciseCpuSeconds(pids.reader) };
    const threads0 = cpuSecondsByThread(pids.web);
    const received0 = clients.map((c) => c.messages.length);
    const rss = { web: [] as number[], idle: [] as number[], reader: [] as number[] };
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      await sleep(1000);
      for (const key of ['web', 'idle', 'reader'] as const) rss[key].push(memory(pids[key]).rss);
    }
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = { web: (preciseCpuSeconds(pids.web) - cpu0.web) / elapsed, reader: (preciseCpuSeconds(pids.reader) - cpu0.reader) / elapsed };
    const threads = [...cpuSecondsByThread(pids.web)]
      .map(([name, s]) => ({ name, pct: (100 * (s - (threads0.get(name) ?? 0))) / elapsed }))
      .filter((t) => t.pct >= 0.0005)
      .sort((a, b) => b.pct - a.pct)
      .map((t) => `${t.name} ${t.pct.toFixed(3)}`)
      .join(', ');
    const received = clients.map((c, i) => c.messages.length - received0[i]!);
    if (received.some((n) => n === 0)) throw new Error(`a feed client received nothing during the window: ${received.join(', ')}`);
    const webRss = median(rss.web);
    const idleRss = median(rss.idle);
    const pct = (v: number) => `${(v * 100).toFixed(3)} % of a core`;
    const label = `${FLEET_PODS}-pod sim, ${CLIENTS} feed clients, idle`;
    const sorted = [...starts.slice(1)].sort((a, b) => a - b);
    rows.push(
      {
        name: `installed web RSS, ${label}`,
        value: mb(webRss),
        reference: `${mb(idleRss)} (bare node -e setInterval, same Node)`,
        ratio: ratio(webRss, idleRss),
        goal: `≤ ${RSS_GOAL}×`,
        note: `median of ${rss.web.length} samples; peak ${mb(memory(pids.web).hwm)}; without a cluster ${mb(noClusterRss)} (${ratio(noClusterRss, idleRss)})`,
      },
      {
        name: `installed web CPU, ${label}`,
        value: pct(cpu.web),
        reference: `${pct(cpu.reader)} (minimal /proc reader, same Node)`,
        ratio: ratio(cpu.web, cpu.reader),
        goal: `≤ ${CPU_GOAL}×`,
        note: `${seconds} s window; schedstat of every thread (% of a core: ${threads}); feed messages per client: ${received.join(', ')}`,
      },
      {
        name: 'installed web cold start to /healthz',
        value: `${Math.round(median(starts.slice(1)))} ms`,
        note: `median of ${starts.length - 1} starts with the cluster configured (${sorted.map((s) => Math.round(s)).join(', ')} ms); first start on fresh state (TLS key, database) ${Math.round(starts[0]!)} ms`,
      },
      { name: `installed web: ${FLEET_WORKLOADS} workloads settled after subscribing`, value: `${(settleMs / 1000).toFixed(1)} s`, note: 'the sim readies pods after 200 ms; stability window 30 s' },
      {
        name: 'release archive',
        value: tree.archive ? mb(tree.archive.bytes) : 'n/a (reused tree)',
        note: tree.packageMs === null ? (tree.archive?.file ?? '') : `npm run package --arch host in ${(tree.packageMs / 1000).toFixed(0)} s`,
      },
    );
    rows.push(...(await moduleCosts(tree)));
  } finally {
    for (const client of clients) client.close();
    if (daemon) await stopDaemon(daemon);
    for (const child of references) child.kill('SIGTERM');
    await fleet.sim.stop();
    tree.remove();
  }
  return rows;
}
