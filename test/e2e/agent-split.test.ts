// The privilege split in a real browser: `outpost serve --with-agent` on the demo's plant line, with
// the identities a device gets from scripts/k8s — the web process the read-only `outpost-web` token,
// the agent the `outpost-agent` one. An operator restarts a workload from the Workloads page; the
// restart goes through the agent process (it says so in its log, with the request's id, and writes
// the audit record) and the page shows it done.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../daemon/src/audit/index.ts';
import { openDatabase } from '../../daemon/src/store/index.ts';
import { DEMO_FIXTURES } from '../../scripts/demo-setup.ts';
import { startHarness, type SimHarness } from '../kube-sim/test-kit.ts';
import { createUser, TEST_PASSWORD } from '../helpers/auth.ts';
import { eventually } from '../helpers/cluster.ts';
import { spawnDaemon, stopDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.ts';
import { launchBrowser, loginViaForm, screenshot, watchConsole, type BrowserSession } from './harness.ts';

const SCRIPTS = fileURLToPath(new URL('../../scripts/k8s/', import.meta.url));
let sim: SimHarness;
let daemon: SpawnedDaemon;
let browser: BrowserSession;
let home: string;

beforeAll(async () => {
  sim = await startHarness({ fixturesDir: DEMO_FIXTURES, imagesFile: path.join(DEMO_FIXTURES, 'images.txt'), bookmarkMs: 1000 });
  const applied = await sim.kubectl(['apply', '-f', SCRIPTS]);
  expect(applied.code, applied.stderr).toBe(0);
  const web = await sim.sim.writeKubeconfig(path.join(sim.dir, 'web.kubeconfig'), { serviceAccount: 'outpost-system/outpost-web' });
  const agent = await sim.sim.writeKubeconfig(path.join(sim.dir, 'agent.kubeconfig'), { serviceAccount: 'outpost-system/outpost-agent' });
  home = tempDir('outpost-e2e-split-');
  const config = path.join(home, 'config.json');
  writeFileSync(config, JSON.stringify({ log: { level: 'info' }, cluster: { stabilitySeconds: 3 } }));
  // An admin exists, so the page asks for a login rather than the first-start setup.
  await createUser(home, 'ada', 'admin');
  await createUser(home, 'otto', 'operator');
  daemon = await spawnDaemon({ home, config, args: ['--with-agent'], timeoutMs: 60_000, env: { OUTPOST_KUBECONFIG: web, OUTPOST_AGENT_KUBECONFIG: agent } });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (daemon) await stopDaemon(daemon);
  await sim?.close();
});

describe('a restart clicked in the UI, with the web read-only and the agent holding the write identity', () => {
  it('goes through the agent and ends done', async () => {
    const page = await browser.newPage();
    const problems = watchConsole(page);
    await loginViaForm(page, daemon.url, 'otto', TEST_PASSWORD);
    await page.goto(new URL('/workloads', daemon.url).toString());
    const row = page.locator('[data-key="ingest/deployment/sensor-ingester"]');
    await row.getByTestId('restart').click();
    const dialog = page.getByTestId('restart-dialog');
    await expect.poll(async () => (await dialog.textContent()) ?? '').toContain('ingest/sensor-ingester');
    await dialog.getByTestId('restart-confirm').click();
    await row.locator('[data-testid="action-status"][data-phase="done"]').waitFor({ timeout: 60_000 });
    await screenshot(page, 'agent-split-restart-done');
    expect(await row.getByTestId('action-status').textContent()).toMatch(/done/);
    expect(problems).toEqual([]);

    // The agent process, not the web, patched the deployment: its log line and its audit record.
    const line = await eventually(() => daemon.stdout().split('\n').find((l) => l.includes('workload.restart: accepted')), 'the agent’s log line');
    const logged = JSON.parse(line) as { process?: string; pid: number; requestId?: string; target?: string };
    expect(logged).toMatchObject({ process: 'agent', target: 'ingest/deployment/sensor-ingester' });
    expect(logged.pid).not.toBe(daemon.child.pid);
    const db = openDatabase(home);
    try {
      const [record] = new AuditLog(db).query({ action: 'workload.restart' });
      expect(record).toMatchObject({ actor: 'otto', role: 'operator', target: 'ingest/deployment/sensor-ingester', outcome: 'success' });
      expect(JSON.parse(record!.detail)).toMatchObject({ requestId: logged.requestId });
    } finally {
      db.close();
    }
  }, 120_000);
});
