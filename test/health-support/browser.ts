// Debian's Chromium through playwright-core, with a fresh profile per launch.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from './server.ts';
import { SESSION_TOKEN_STORAGE_KEY } from '../../daemon/src/protocol/auth.ts';

export const RESULTS = path.join(PROJECT_ROOT, 'test-results');

/** playwright-core's launch() gives Chromium a fresh temporary --user-data-dir of its own (it refuses one in args). */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  mkdirSync(RESULTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    timeout: 30_000,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** Rewrites a fixture copy's /proc/stat so the next interval shows `busyPct` on every core. */
export function cpuDriver(root: string): (busyPct: number) => void {
  const file = path.join(root, 'proc/stat');
  const lines = readFileSync(file, 'utf8').split('\n');
  const counters = new Map<string, number[]>();
  for (const line of lines) {
    const parts = line.trim().split(/\s+/);
    if (parts[0]?.startsWith('cpu')) counters.set(parts[0], parts.slice(1).map(Number));
  }
  return (busyPct) => {
    const out = lines.map((line) => {
      const parts = line.trim().split(/\s+/);
      const c = parts[0] ? counters.get(parts[0]) : undefined;
      if (!c) return line;
      const scale = parts[0] === 'cpu' ? counters.size - 1 : 1;
      c[0] = (c[0] ?? 0) + busyPct * scale; // user
      c[3] = (c[3] ?? 0) + (100 - busyPct) * scale; // idle
      return `${parts[0]} ${c.join(' ')}`;
    });
    // rename keeps the reader from ever seeing a half-written file
    writeFileSync(`${file}.tmp`, out.join('\n'));
    renameSync(`${file}.tmp`, file);
  };
}

/**
 * A page in its own context carrying the server's logged-in session: the cookie, and the session's
 * token in the page's storage, where the login page would have put it.
 */
export async function loggedInPage(
  browser: Browser,
  server: { url: string; cookie: string; token: string },
  viewport: { width: number; height: number },
  locale?: string,
): Promise<Page> {
  const context = await browser.newContext({ viewport, ...(locale ? { locale } : {}) });
  const [name = '', value = ''] = server.cookie.split('=');
  await context.addCookies([{ name, value, url: server.url }]);
  const [origin, key, token] = [new URL(server.url).origin, SESSION_TOKEN_STORAGE_KEY, server.token].map((v) => JSON.stringify(v));
  await context.addInitScript({ content: `if (location.origin === ${origin} && localStorage.getItem(${key}) === null) localStorage.setItem(${key}, ${token});` });
  return context.newPage();
}
