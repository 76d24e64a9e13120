// One sampler in its own process for test/bench/health.bench.ts. argv: mode (outpost | native |
// systeminformation | history). Prints "ready" once warmed up; the parent measures this process's
// CPU through /proc/<pid>/stat, then kills it.
import { FeedHub } from '../../daemon/src/feed/index.ts';
import { createHealth, HealthHistoryStore } from '../../daemon/src/health/index.ts';
import { createLogger } from '../../daemon/src/lib/logger.ts';
import { HEALTH_SERIES } from '../../daemon/src/protocol/health.ts';
import { startMinimalProcReader } from './minimal-proc-reader.ts';

const mode = process.argv[2];
const ready = (extra = '') => process.stdout.write(`ready${extra}\n`);

if (mode === 'outpost') {
  // The real capability with its default tiers: fast 1 s, medium 10 s, slow 60 s (systeminformation).
  const hub = new FeedHub({ replayEvents: 512 });
  const stub = process.env.NO_SI === '1';
  const health = createHealth({
    hub,
    log: createLogger('silent'),
    processMetrics: process.env.NO_METRICS !== '1',
    ...(stub ? { identity: async () => ({ hostname: 'x', os: 'x', kernel: 'x', arch: 'x', model: null, serial: null }), clock: async () => ({ synchronised: null, source: 'x', timezone: 'UTC', offsetMs: null }) } : {}),
  });
  health.start();
  setTimeout(() => ready(), 3000);
  setInterval(() => undefined, 1 << 30);
} else if (mode === 'native') {
  // The minimal reference (minimal-proc-reader.ts), shared with the footprint bench.
  startMinimalProcReader();
  setTimeout(() => ready(), 3000);
} else if (mode === 'systeminformation') {
  // What a straightforward sampler would do: ask systeminformation for everything every second.
  const si = await import('systeminformation');
  const tick = async () => {
    await Promise.all([si.currentLoad(), si.mem(), si.fsSize(), si.networkStats('*'), si.disksIO(), si.cpuTemperature(), si.cpuCurrentSpeed(), si.networkInterfaces()]);
  };
  await tick();
  let running = false;
  setInterval(() => {
    if (running) return;
    running = true;
    void tick().finally(() => (running = false));
  }, 1000);
  setTimeout(() => ready(), 3000);
} else if (mode === 'idle') {
  // A Node process doing nothing but a 1 s timer: the floor under every sampler.
  setInterval(() => undefined, 1000);
  setTimeout(() => ready(), 3000);
} else if (mode === 'history') {
  // RSS of a completely full history: 3600 fine points and 24 h of minutes for every series.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const start = process.memoryUsage().rss;
  const history = new HealthHistoryStore(HEALTH_SERIES);
  gc?.();
  const before = process.memoryUsage().rss;
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 86_400_000;
  const point = Object.fromEntries(HEALTH_SERIES.map((n) => [n, 0])) as Record<(typeof HEALTH_SERIES)[number], number>;
  const fillDay = (day: number) => {
    for (let i = 0; i < 86_400; i += 1) {
      for (const n of HEALTH_SERIES) point[n] = Math.random() * 100;
      history.record(t0 + (day * 86_400 + i) * 1000, point);
    }
  };
  fillDay(0);
  gc?.();
  const after = process.memoryUsage().rss;
  fillDay(1);
  gc?.();
  const secondDay = process.memoryUsage().rss;
  process.stdout.write(`${JSON.stringify({ start, before, after, secondDay, bytes: history.memory.bytes, fine: history.fineLength, coarse: history.coarseLength })}\n`);
  process.exit(0);
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
