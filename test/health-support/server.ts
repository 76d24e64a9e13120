// A capability-level harness for health tests: the real express app, feed and health capability on
// a loopback port 0, reading /proc and /sys from `root` (a fixture copy or the real `/`), with a guard
// that lets every route through so tests can focus on health. The real daemon's wiring, with the
// access layer, is tested in test/integration/health-daemon.test.ts.
import http from 'node:http';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { FeedHub, attachFeed, startSystemTopic } from '../../daemon/src/feed/index.ts';
import { RouteTable, coreRoutes, createApp } from '../../daemon/src/http/index.ts';
import { createHealth, type Health, type HealthThresholds, type StatfsResult } from '../../daemon/src/health/index.ts';
import { createLogger } from '../../daemon/src/lib/logger.ts';
import type { ClockSample, IdentitySample } from '../../daemon/src/protocol/health.ts';


export const FIXTURE_ROOT = fileURLToPath(new URL('../fixtures/proc/', import.meta.url));
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface HealthServer {
  url: string;
  port: number;
  hub: FeedHub;
  health: Health;
  close(): Promise<void>;
}

export interface HealthServerOptions {
  root?: string;
  /** statfs answers by mount point; default: the fixture's statfs.json next to `root`. */
  statfs?: Record<string, StatfsResult>;
  tiers?: { fastMs?: number; mediumMs?: number; slowMs?: number };
  thresholds?: HealthThresholds;
  uiDist?: string;
  /** Use the real identity/clock probes (systeminformation, timedatectl) instead of fixed ones. */
  realProbes?: boolean;
}

export const TEST_IDENTITY: IdentitySample = { hostname: 'edge-test-01', os: 'Debian GNU/Linux 12', kernel: '6.1.0-test', arch: 'x64', model: 'Test Board 3000', serial: 'SN-0042' };
export const TEST_CLOCK: ClockSample = { synchronised: true, source: 'test', timezone: 'UTC', offsetMs: null };

/** A private, writable copy of a fixture machine (tests may rewrite its counters). */
export function copyFixture(machine: string): { root: string; remove(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), `outpost-health-${machine}-`));
  cpSync(path.join(FIXTURE_ROOT, machine), root, { recursive: true });
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

function statfsFrom(root: string, table?: Record<string, StatfsResult>) {
  let answers = table;
  if (!answers) {
    try {
      answers = JSON.parse(readFileSync(path.join(root, 'statfs.json'), 'utf8')) as Record<string, StatfsResult>;
    } catch {
      answers = {};
    }
  }
  const known = answers;
  return async (mount: string) => {
    const r = known[mount];
    if (!r) throw new Error(`no statfs answer for ${mount}`);
    return r;
  };
}

export async function startHealthServer(options: HealthServerOptions = {}): Promise<HealthServer> {
  const log = createLogger('silent');
  const hub = new FeedHub({ replayEvents: 64 });
  const root = options.root ?? '/';
  let clients = () => 0;
  const health = createHealth({
    hub,
    log,
    root,
    tiers: options.tiers ?? { fastMs: 200, mediumMs: 1000, slowMs: 5000 },
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
    ...(root === '/' ? {} : { statfs: statfsFrom(root, options.statfs) }),
    ...(options.realProbes ? {} : { identity: async () => TEST_IDENTITY, clock: async () => TEST_CLOCK }),
    clientCount: () => clients(),
  });
  const routes = new RouteTable();
  routes.add(...coreRoutes({ version: '0.0.0-test', readiness: [] }), ...health.routes());
  const app = createApp({ log, routes, uiDist: options.uiDist ?? path.join(PROJECT_ROOT, 'ui', 'dist'), guard: () => [] });
  const server = http.createServer(app);
  const feed = attachFeed(server, { hub, log, version: '0.0.0-test', heartbeatMs: 15_000, maxMessageBytes: 64 * 1024, sendBufferBytes: 1 << 20, maxSubscriptions: 32 });
  clients = () => feed.clientCount;
  const stopSystem = startSystemTopic(hub, { version: '0.0.0-test', intervalMs: 1000, clientCount: () => feed.clientCount });
  health.start();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hub,
    health,
    close: () =>
      new Promise<void>((resolve) => {
        health.stop();
        stopSystem();
        feed.close(1001, 'test over');
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Resolves once `predicate` holds, polling every 20 ms, or rejects after `ms`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
