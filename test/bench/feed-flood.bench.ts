// Feed flood: the daemon (a child process) while one client on the kiosk port, with no login, sends
// 200,000 subscribe frames and reads nothing — against the same daemon at rest in the same run:
// /healthz latency (p50, p99, max) and RSS (test/integration/feed-flood.test.ts asserts the bounds).
import { rmSync } from 'node:fs';
import { spawnDaemon, stopDaemon, tempDir } from '../helpers/daemon.ts';
import { clientTextFrame, clientTextFrames, openRawFeed, waitForRaw } from '../helpers/raw-feed.ts';
import { memory, mb, percentile, QUICK, ratio, sleep, type BenchRow } from './lib.ts';

const FRAMES = QUICK ? 50_000 : 200_000;
const REST_MS = QUICK ? 2000 : 5000;

async function probeWhile(url: URL, running: () => boolean, onTick: () => void): Promise<number[]> {
  const latencies: number[] = [];
  while (running()) {
    const t0 = performance.now();
    await (await fetch(url)).text();
    latencies.push(performance.now() - t0);
    onTick();
    await sleep(10);
  }
  return latencies.sort((a, b) => a - b);
}

export default async function feedFlood(): Promise<BenchRow[]> {
  const home = tempDir('outpost-bench-flood-');
  const daemon = await spawnDaemon({ home });
  try {
    const pid = daemon.child.pid!;
    const healthz = new URL('/healthz', daemon.url);
    for (let i = 0; i < 20; i += 1) await (await fetch(healthz)).text();
    const restEnd = Date.now() + REST_MS;
    const rest = await probeWhile(healthz, () => Date.now() < restEnd, () => undefined);
    const rssBefore = memory(pid).rss;

    const feed = await openRawFeed(daemon.kioskPort!);
    feed.socket.write(clientTextFrame(JSON.stringify({ type: 'subscribe', topic: 'health' })));
    await waitForRaw(feed, (ms) => ms.some((m) => (m as { type: string }).type === 'snapshot'), 'the health snapshot');
    const flood = clientTextFrames(FRAMES, () => JSON.stringify({ type: 'subscribe', topic: 'health' }));
    let rssPeak = rssBefore;
    let done = false;
    feed.socket.pause();
    feed.socket.write(flood, () => void feed.closed.then(() => sleep(500)).then(() => (done = true)));
    const started = Date.now();
    // As long a window as at rest (and at least until the flood is over), so the percentiles compare.
    const during = await probeWhile(
      healthz,
      () => (!done || Date.now() - started < REST_MS) && Date.now() - started < 60_000,
      () => (rssPeak = Math.max(rssPeak, memory(pid).rss)),
    );
    feed.socket.destroy();
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    const note = `${FRAMES.toLocaleString('en')} subscribes, client reads nothing; ${during.length} calls; reference: at rest, ${rest.length} calls`;
    const row = (name: string, value: number, reference: number, extra: Partial<BenchRow> = {}): BenchRow => ({
      name,
      value: ms(value),
      reference: ms(reference),
      ratio: ratio(value, reference),
      ...extra,
    });
    return [
      row('/healthz p50 under flood', percentile(during, 50), percentile(rest, 50), { note }),
      row('/healthz p99 under flood', percentile(during, 99), percentile(rest, 99), { goal: '< 100 ms' }),
      row('/healthz max under flood', during.at(-1) ?? NaN, rest.at(-1) ?? NaN),
      { name: 'RSS growth under flood', value: mb(rssPeak - rssBefore), reference: mb(rssBefore), ratio: ratio(rssPeak, rssBefore), goal: '< 50 MB growth' },
    ];  } finally {
    await stopDaemon(daemon);
    rmSync(home, { recursive: true, force: true });
  }
}
