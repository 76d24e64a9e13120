// The real daemon for health tests, on loopback port 0 with its own OUTPOST_HOME, reading /proc and
// /sys from `root` (a fixture copy or the real `/`) through the daemon's test seams, with fixed
// identity and clock probes unless `realProbes`. A logged-in admin session comes with it.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeedHub } from '../../daemon/src/feed/index.ts';
import type { Health, HealthThresholds, StatfsResult } from '../../daemon/src/health/index.ts';
import { createLogger } from '../../daemon/src/lib/logger.ts';
import { resolveConfig } from '../../daemon/src/config/index.ts';
import { startDaemon } from '../../daemon/src/main.ts';
import { userSession } from '../helpers/auth.ts';
import type { ClockSample, IdentitySample } from '../../daemon/src/protocol/health.ts';


export const FIXTURE_ROOT = fileURLToPath(new URL('../fixtures/proc/', import.meta.url));
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface HealthServer {
  url: string;
  port: number;
  /** The loopback kiosk listener (no login), ending in '/'. */
  kioskUrl: string;
  hub: FeedHub;
  health: Health;
  /** `name=value` of a logged-in admin session (pages need one). */
  cookie: string;
  /** The session's token, which the page keeps in its storage (a cookie alone is worth nothing). */
  token: string;
  /** Headers of that session for a change: cookie, Origin, CSRF token, JSON. */
  headers(extra?: Record<string, string>): Record<string, string>;
  /** Feed handshake options for that session: cookie, Origin, the token as a subprotocol. */
  feed(): { headers: Record<string, string>; protocols: string[] };
  /** fetch() on this daemon as the logged-in admin (mutations carry Origin and the CSRF token). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
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
  const home = mkdtempSync(path.join(os.tmpdir(), 'outpost-health-home-'));
  const root = options.root ?? '/';
  const settings = {
    home,
    listen: { address: '127.0.0.1', port: 0 },
    kiosk: { port: 0 },
    log: { level: 'silent' },
    cluster: { kubeconfig: 'none' },
    health: { ...(options.tiers ?? { fastMs: 200, mediumMs: 1000, slowMs: 5000 }), ...(options.thresholds ? { thresholds: options.thresholds } : {}) },
    ...(options.uiDist ? { ui: { dist: options.uiDist } } : {}),
  };
  const result = resolveConfig({ file: { path: 'health-test-config', text: JSON.stringify(settings) }, env: {}, flags: {}, cwd: home });
  if (!result.ok) throw new Error(`bad test config: ${JSON.stringify(result.problems)}`);
  const daemon = await startDaemon(result.config, createLogger('silent'), {
    health: {
      root,
      ...(root === '/' ? {} : { statfs: statfsFrom(root, options.statfs) }),
      ...(options.realProbes ? {} : { identity: async () => TEST_IDENTITY, clock: async () => TEST_CLOCK }),
    },
  });
  // The pages need a session: an admin logs in through the real login route.
  const session = await userSession(home, daemon.url, 'health-tester', 'admin');
  return {
    url: daemon.url.replace(/\/$/, ''),
    port: daemon.port,
    kioskUrl: daemon.kioskUrl ?? '',
    hub: daemon.hub,
    health: daemon.health,
    cookie: session.cookie,
    token: session.csrfToken,
    headers: session.headers,
    feed: session.feed,
    fetch: (path, init = {}) => fetch(`${daemon.url.replace(/\/$/, '')}${path}`, { ...init, headers: { ...session.headers(), ...(init.headers as Record<string, string> | undefined) } }),
    async close() {
      await daemon.close();
      rmSync(home, { recursive: true, force: true });
    },
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
