// Runs INSIDE a loopback-only network namespace under strace (test/integration/release.test.ts):
// install the release into a tree, start the kube-sim and the INSTALLED web and agent wired to it, then a
// Chromium session with the kiosk's own flags logs in through the form and opens every page and the
// kiosk screen; then everything stops and the tree is purged. Prints one JSON report.
//   node test/release/airgap-session.ts RELEASE_DIR ROOT
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, loginViaForm } from '../e2e/harness.ts';
import { ROOT as CHECKOUT, stopDaemon } from '../helpers/daemon.ts';
import { addUser, installSh, startInstalled, stopChild } from './installed.ts';
import type { AirgapReport } from './reports.ts';

const [release, root] = process.argv.slice(2);
if (!release || !root) throw new Error('usage: airgap-session.ts RELEASE_DIR ROOT');
const PASSWORD = 'air gap admin 9';
const report = { hostname: os.hostname() } as AirgapReport;

/** Chromium flags of the kiosk unit, minus the two that need a display. */
function kioskNetworkFlags(flagsFile: string): string[] {
  return readFileSync(flagsFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .filter((l) => l !== '--kiosk' && !l.startsWith('--ozone-platform'));
}

function startSim(kubeconfig: string): Promise<{ child: ReturnType<typeof spawn>; url: string }> {
  const cli = path.join(CHECKOUT, 'test/kube-sim/cli.ts');
  const fixtures = path.join(CHECKOUT, 'test/kube-sim/fixtures/demo');
  const child = spawn(process.execPath, [cli, '--port', '0', '--kubeconfig-out', kubeconfig, '--fixtures', fixtures, '--fast'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kube-sim did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /kube-sim listening on (\S+)/.exec(out)?.[1];
      if (url && out.includes('kubeconfig written')) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`kube-sim exited (${code}): ${out}`)));
  });
}

report.install = await installSh(release, ['--root', root]);
const kubeconfig = path.join(root, 'etc/outpost/sim.kubeconfig');
const sim = await startSim(kubeconfig);
report.simUrl = sim.url;
report.user = await addUser(root, 'admin', 'admin', PASSWORD);
// The web and its agent (a child process, traced too): neither may reach anything off the box.
const daemon = await startInstalled(root, { args: ['--with-agent'], env: { OUTPOST_KUBECONFIG: kubeconfig } });
report.daemon = { url: daemon.url, kioskUrl: daemon.kioskUrl ?? '' };
const flags = kioskNetworkFlags(path.join(root, 'opt/outpost/current/kiosk/chromium.flags'));
report.chromiumFlags = flags;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 120_000, args: ['--no-sandbox', '--disable-gpu', ...flags] });
const pages = {} as AirgapReport['pages'];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await loginViaForm(page, daemon.url, 'admin', PASSWORD);
  pages.who = (await page.getByTestId('who').textContent()) ?? '';
  await page.getByTestId('identity').waitFor();
  pages.identity = (await page.getByTestId('identity').textContent()) ?? '';
  await page.goto(new URL('/workloads', daemon.url).toString());
  await page.getByTestId('workload-row').first().waitFor();
  pages.workloads = (await page.getByTestId('workload-row').allTextContents()).join(' | ');
  await page.goto(new URL('/workloads/messaging/deployment/mqtt-broker', daemon.url).toString());
  await page.getByTestId('log-lines').filter({ hasText: /\S/ }).waitFor();
  pages.logs = ((await page.getByTestId('log-lines').textContent()) ?? '').slice(0, 200);
  await page.goto(new URL('/audit', daemon.url).toString());
  await page.getByTestId('audit-table').waitFor();
  pages.audit = ((await page.getByTestId('audit-table').textContent()) ?? '').slice(0, 300);
  await page.goto(new URL('/settings', daemon.url).toString());
  await page.getByRole('heading').first().waitFor();
  pages.settings = (await page.getByRole('heading').allTextContents()).join(' | ');
  const kiosk = await context.newPage();
  kiosk.setDefaultTimeout(60_000);
  await kiosk.goto(new URL('/kiosk', daemon.kioskUrl!).toString());
  // Until the feed's first health snapshot arrives the kiosk says "waiting".
  await kiosk.locator('[data-testid="kiosk-status"]:not([data-status="waiting"])').waitFor();
  pages.kiosk = (await kiosk.getByTestId('kiosk-status').getAttribute('data-status')) ?? '';
  // Idle a while with both pages live: anything that phones home on a timer gets its chance.
  await page.waitForTimeout(10_000);
} finally {
  await browser.close();
  report.pages = pages;
  report.daemonExit = await stopDaemon(daemon);
  report.simExit = await stopChild(sim.child);
  report.purge = await installSh(release, ['--uninstall', '--purge', '--root', root]);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
