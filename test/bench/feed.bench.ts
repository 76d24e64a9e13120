// Feed cost: the daemon with 1 and 200 feed clients (system topic at 10 Hz) against a bare
// express + ws server broadcasting the same bytes, measured in the same run: RSS, CPU, latency.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, memory, mb, QUICK, ratio, sleep, type BenchRow } from './lib.ts';
import { userSession } from '../helpers/auth.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const WINDOW_MS = QUICK ? 8000 : 30_000;
const WARMUP_MS = 3000;

interface Server {
  child: ChildProcess;
  url: string;
  /** Session for the feed handshake (the daemon's; the bare server needs none). */
  env?: { FEED_COOKIE: string; FEED_ORIGIN: string; FEED_TOKEN: string };
  stop(): Promise<void>;
}

function waitForLine(child: ChildProcess, pattern: RegExp, stream: 'stdout' | 'stderr'): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within 15 s: ${text}`)), 15_000);
    child[stream]!.on('data', (d: Buffer) => {
      text += d.toString();
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}

async function startDaemon(home: string): Promise<Server> {
  const config = path.join(home, 'config.yaml');
  writeFileSync(config, `home: ${home}\nlisten: {port: 0}\nkiosk: {enabled: false}\ncluster: {kubeconfig: none}\nlimits: {connectionsPerAddress: 1000}\nlog: {level: warn}\nfeed: {systemIntervalMs: 100}\n`);
  const child = spawn(process.execPath, [path.join(root, 'daemon/src/cli.ts'), 'serve', '--config', config], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const match = await waitForLine(child, /LocalUI at http:\/\/([^/\s]+)\//, 'stderr');
  const base = `http://${match[1]}/`;
  const session = await userSession(home, base, 'bench', 'viewer');
  return { child, url: `ws://${match[1]}/api/v1/feed`, env: { FEED_COOKIE: session.cookie, FEED_ORIGIN: session.origin, FEED_TOKEN: session.csrfToken }, stop: () => stop(child) };
}

async function startReference(): Promise<Server> {
  const child = spawn(process.execPath, [path.join(here, 'feed-reference-server.ts'), '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const match = await waitForLine(child, /LISTENING (\d+)/, 'stdout');
  return { child, url: `ws://127.0.0.1:${match[1]}/api/v1/feed`, stop: () => stop(child) };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

interface Measure {
  rss: number;
  cpuPercent: number;
  p50: number;
  p99: number;
  received: number;
}

async function measure(server: Server, clients: number): Promise<Measure> {
  const pid = server.child.pid!;
  const load = spawn(process.execPath, [path.join(here, 'feed-load-clients.ts'), server.url, String(clients), String(WINDOW_MS), String(WARMUP_MS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...server.env },
  });
  let out = '';
  load.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => load.once('exit', () => resolve()));
  await sleep(WARMUP_MS);
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  const rssSamples: number[] = [];
  while (performance.now() - started < WINDOW_MS - 500) {
    await sleep(1000);
    rssSamples.push(memory(pid).rss);
  }
  const cpuPercent = ((cpuSeconds(pid) - cpuBefore) / ((performance.now() - started) / 1000)) * 100;
  await exited;
  const result = JSON.parse(out.trim()) as { p50: number; p99: number; received: number; open: number; samples: number };
  if (result.open < clients || result.samples === 0) throw new Error(`only ${result.open} of ${clients} feed clients stayed connected (${result.samples} samples)`);
  return { rss: rssSamples.reduce((a, b) => a + b, 0) / rssSamples.length, cpuPercent, ...result };
}

export default async function feedBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const clients of [1, 200]) {
    const home = mkdtempSync(path.join(tmpdir(), 'outpost-bench-'));
    const reference = await startReference();
    const bare = await measure(reference, clients);
    await reference.stop();
    const daemon = await startDaemon(home);
    const ours = await measure(daemon, clients);
    await daemon.stop();
    rmSync(home, { recursive: true, force: true });
    const label = `${clients} client${clients === 1 ? '' : 's'}, system topic at 10 Hz`;
    rows.push(
      { name: `RSS, ${label}`, value: mb(ours.rss), reference: mb(bare.rss), ratio: ratio(ours.rss, bare.rss), goal: '≤ 1.3×' },
      { name: `CPU, ${label}`, value: `${ours.cpuPercent.toFixed(2)} % of a core`, reference: `${bare.cpuPercent.toFixed(2)} %`, ratio: ratio(ours.cpuPercent, bare.cpuPercent), goal: '≤ 1.5×' },
      { name: `latency p50, ${label}`, value: `${ours.p50.toFixed(2)} ms`, reference: `${bare.p50.toFixed(2)} ms`, ratio: ratio(ours.p50, bare.p50) },
      { name: `latency p99, ${label}`, value: `${ours.p99.toFixed(2)} ms`, reference: `${bare.p99.toFixed(2)} ms`, ratio: ratio(ours.p99, bare.p99), goal: '≤ 2×', note: `${ours.received} events received` },
    );
  }
  return rows;
}
