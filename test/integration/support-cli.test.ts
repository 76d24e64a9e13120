// `outpost support-bundle` as a user runs it: against the demo cluster with the daemon stopped (its
// journal through a fake journalctl that floods the section), with the daemon running on the same
// state, and with bad arguments.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FIXTURES } from '../../scripts/demo-setup.ts';
import { AuditLog } from '../../daemon/src/audit/index.ts';
import { openDatabase } from '../../daemon/src/store/index.ts';
import { startKubeSim, type KubeSim } from '../kube-sim/index.ts';
import { FAST } from '../kube-sim/test-kit.ts';
import { CLI, ROOT, spawnDaemon, stopDaemon, tempDir } from '../helpers/daemon.ts';
import { readBundle } from '../helpers/support-bundle.ts';

const run = promisify(execFile);
const SCRAPE_TOKEN = 'cli-planted-scrape-token-0123456789';
let sim: KubeSim;
let dir: string;
let bin: string;

async function outpost(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const path = `${bin}:${process.env.PATH ?? ''}`;
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, PATH: path, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function auditActions(home: string): [string, string, string][] {
  const db = openDatabase(home);
  try {
    return new AuditLog(db).query({ action: 'support.bundle' }).map((r) => [r.actor, r.outcome, r.target]);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dir = tempDir('outpost-support-cli-');
  bin = path.join(dir, 'bin');
  mkdirSync(bin);
  // About 6 MB of journal, far more than the 1 MiB bundle allows; the newest line is the last one.
  const line = '2026-12-01T10:00:00+0000 box outpost[1]: entry $i of many lines password=hunter22 padding padding padding';
  const newest = 'echo "2026-12-01T10:00:01+0000 box outpost[1]: the newest line"';
  const script = ['#!/bin/sh', `i=0; while [ $i -lt 60000 ]; do echo "${line}"; i=$((i+1)); done`, newest];
  writeFileSync(path.join(bin, 'journalctl'), `${script.join('\n')}\n`);
  chmodSync(path.join(bin, 'journalctl'), 0o755);
  const imagesFile = path.join(DEMO_FIXTURES, 'images.txt');
  sim = await startKubeSim({ port: 0, fixturesDir: DEMO_FIXTURES, imagesFile, tickMs: 50, logIntervalMs: 200, timing: FAST });
}, 30_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('outpost support-bundle', () => {
  it('writes a bounded bundle with the daemon stopped, from OUTPOST_HOME and the config, and audits it', async () => {
    const home = path.join(dir, 'home-a');
    const kubeconfig = await sim.writeKubeconfig(path.join(dir, 'a.kubeconfig'));
    const configFile = path.join(dir, 'a.yaml');
    writeFileSync(configFile, JSON.stringify({ home, cluster: { kubeconfig }, metrics: { scrapeToken: SCRAPE_TOKEN }, support: { maxBytes: 1 << 20 } }));
    const out = path.join(dir, 'out-a');
    mkdirSync(out);
    const result = await outpost(['support-bundle', '--config', configFile, '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const files = readdirSync(out);
    expect(files).toHaveLength(1);
    const file = path.join(out, files[0]!);
    expect(result.stdout).toContain(`wrote ${file} (`);
    expect(result.stdout).toMatch(/logs\s+partial/);
    expect(result.stdout).toMatch(/health\s+skipped .*only in memory/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(file).size).toBeLessThanOrEqual(1 << 20);

    const bundle = await readBundle(file);
    expect(bundle.tar.length).toBeLessThanOrEqual(1 << 20);
    const journal = bundle.get('logs/journal.log')!.text.split('\n');
    expect(journal[0]).toMatch(/^\[outpost\] this file was cut: \d+ bytes of older lines left out/);
    expect(journal.at(-2)).toBe('2026-12-01T10:00:01+0000 box outpost[1]: the newest line');
    const text = bundle.tar.toString('latin1');
    for (const secret of ['hunter22', SCRAPE_TOKEN, 'kube-sim-admin']) expect(text.includes(secret), secret).toBe(false);
    expect(bundle.json<{ config: { support: { maxBytes: number } } }>('config/effective.json').config.support.maxBytes).toBe(1 << 20);
    expect(bundle.get('cluster/pods.jsonl')!.text).toContain('opcua-bridge');
    expect(bundle.json<{ from: string }>('cluster/connection.json').from).toMatch(/one list per kind/);
    expect(bundle.get('health/now.json')).toBeUndefined();
    expect(bundle.get('logs/daemon-recent.jsonl')).toBeUndefined();
    expect(auditActions(home)).toEqual([[expect.stringMatching(/^cli:/), 'success', file]]);
  }, 90_000);

  it('works the same while the daemon runs on that state', async () => {
    const home = path.join(dir, 'home-b');
    const daemon = await spawnDaemon({ home });
    try {
      const out = path.join(dir, 'b.tar.gz');
      const result = await outpost(['support-bundle', '--config', 'none', '--home', home, '--out', out], { OUTPOST_KUBECONFIG: 'none' });
      expect(result.code).toBe(0);
      const bundle = await readBundle(out);
      expect(bundle.json<{ verified: boolean }>('audit/chain.json').verified).toBe(true);
      type Index = { sections: { section: string; outcome: string; skipped: { reason: string }[] }[] };
      const cluster = bundle.json<Index>('index.json').sections.find((s) => s.section === 'cluster');
      expect(cluster).toMatchObject({ outcome: 'skipped', skipped: [{ reason: expect.stringMatching(/no kubeconfig found/) }] });
      expect(auditActions(home)).toEqual([[expect.stringMatching(/^cli:/), 'success', out]]);
    } finally {
      await stopDaemon(daemon);
    }
  }, 60_000);

  it('explains its usage without --out, and fails clearly, leaving nothing, when it cannot write', async () => {
    const usage = await outpost(['support-bundle']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: outpost support-bundle --out FILE|DIR');
    const home = path.join(dir, 'home-c');
    const target = path.join(dir, 'no-such-folder', 'b.tar.gz');
    const failed = await outpost(['support-bundle', '--config', 'none', '--home', home, '--out', target], { OUTPOST_KUBECONFIG: 'none' });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^outpost: cannot write the support bundle: .*ENOENT/);
    expect(auditActions(home)).toEqual([[expect.stringMatching(/^cli:/), 'failure', 'support bundle']]);
    const help = await outpost(['--help']);
    expect(help.stdout).toMatch(/support-bundle\s+write a support bundle/);
  }, 60_000);
});
