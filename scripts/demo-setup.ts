// The demo edge box in one process: the kube-sim with the demo fixtures (three workload
// namespaces, one crash loop, one missing image) and the daemon wired to it, plus a demo login.
// Used by `npm run demo` (scripts/demo.ts) and by the browser tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashPassword } from '../daemon/src/auth/passwords.ts';
import { UserStore } from '../daemon/src/auth/users.ts';
import { formatProblems, resolveConfig } from '../daemon/src/config/index.ts';
import { createLogger } from '../daemon/src/lib/logger.ts';
import { LogRing } from '../daemon/src/lib/log-ring.ts';
import { startDaemon, type DaemonHandle, type DaemonSeams } from '../daemon/src/main.ts';
import { openDatabase } from '../daemon/src/store/index.ts';
import { startKubeSim, type KubeSim } from '../test/kube-sim/index.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_FIXTURES = path.join(ROOT, 'test/kube-sim/fixtures/demo');
export const DEMO_USER = 'demo';

export interface DemoOptions {
  home: string;
  /** The daemon's settings on top of the demo's (port, kiosk, log level…). */
  settings?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  timing?: { readyAfterMs?: number; runMs?: number; backoffBaseMs?: number; backoffMaxMs?: number; terminationMs?: number };
  logIntervalMs?: number;
  password?: string;
  /**
   * containerd for upgrades: `auto` starts a private one under `<home>/containerd` when this runs as
   * root with containerd installed; a socket uses that one; absent: none (upgrades are blocked).
   */
  containerd?: 'auto' | { socket: string; root: string };
  /** Test seams passed to the daemon (a fake journalctl for the support bundle…). */
  seams?: DaemonSeams;
  /**
   * Where the privileged agent runs: `child` (what `npm run demo` does: `outpost agent` as a child
   * process on <home>/agent.sock, reading the demo's settings from <home>/demo.config.json), or
   * in this process (the default for tests: faster).
   */
  agent?: 'child' | 'in-process';
}

export interface Demo {
  sim: KubeSim;
  daemon: DaemonHandle;
  kubeconfig: string;
  username: string;
  password: string;
  /** The containerd socket upgrades import into, or null. */
  containerd: string | null;
  stop(): Promise<void>;
}

/** A private containerd for the demo (root only); null when it cannot run here. */
async function startDemoContainerd(home: string): Promise<{ socket: string; root: string; child: ChildProcess } | null> {
  if (process.getuid?.() !== 0 || spawnSync('containerd', ['--version']).status !== 0) return null;
  const dir = path.join(home, 'containerd');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const socket = path.join(dir, 'containerd.sock');
  writeFileSync(path.join(dir, 'config.toml'), `version = 2\nroot = "${dir}/root"\nstate = "${dir}/state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "${socket}"\n`);
  const child = spawn('containerd', ['--config', path.join(dir, 'config.toml')], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (spawnSync('ctr', ['-a', socket, 'version'], { timeout: 2000 }).status !== 0) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      return null;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { socket, root: path.join(dir, 'root'), child };
}

async function ensureDemoUser(home: string, password: string): Promise<void> {
  const db = openDatabase(home);
  try {
    const users = new UserStore(db);
    const hash = await hashPassword(password);
    const existing = users.list().find((u) => u.username === DEMO_USER);
    if (existing) users.setPassword(existing.id, hash);
    else users.create(DEMO_USER, 'admin', hash);
  } finally {
    db.close();
  }
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const home = path.resolve(options.home);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const own = options.containerd === 'auto' ? await startDemoContainerd(home) : null;
  const containerd = own ?? (typeof options.containerd === 'object' ? options.containerd : null);
  const stopContainerd = () => {
    if (own && own.child.exitCode === null) own.child.kill('SIGTERM');
  };
  const sim = await startKubeSim({
    port: 0,
    fixturesDir: DEMO_FIXTURES,
    imagesFile: path.join(DEMO_FIXTURES, 'images.txt'),
    ...(containerd ? { containerdSocket: containerd.socket, imagePollMs: 500 } : {}),
    bookmarkMs: 10_000,
    logIntervalMs: options.logIntervalMs ?? 1000,
    timing: options.timing,
  }).catch((error: unknown) => {
    stopContainerd();
    throw error;
  });
  try {
    const kubeconfig = await sim.writeKubeconfig(path.join(home, 'demo.kubeconfig'));
    const password = options.password ?? randomBytes(9).toString('base64url');
    await ensureDemoUser(home, password);
    const settings = {
      home,
      ...(containerd ? { containerd: { address: containerd.socket, root: containerd.root } } : {}),
      ...options.settings,
      cluster: { kubeconfig, ...(options.settings?.cluster as object | undefined) },
    };
    const text = JSON.stringify({ ...settings, ...(options.agent === 'child' ? { agent: { ...((settings as { agent?: object }).agent), mode: 'child' } } : {}) });
    // A child agent reads the same settings from a file (it resolves its config like `outpost agent` does).
    const file = options.agent === 'child' ? path.join(home, 'demo.config.json') : 'demo settings';
    if (options.agent === 'child') writeFileSync(file, text, { mode: 0o600 });
    const result = resolveConfig({ file: { path: file, text }, env: options.env ?? {}, flags: {}, cwd: ROOT });
    if (!result.ok) throw new Error(`demo configuration is invalid:\n${formatProblems(result.problems)}`);
    // The daemon's recent log lines, for the support bundle (the demo's stdout is not kept).
    const recentLogs = new LogRing();
    const daemon = await startDaemon(result.config, createLogger(result.config.log.level, undefined, recentLogs), options.seams, { recentLogs, env: { ...process.env, ...options.env } });
    return {
      sim,
      daemon,
      kubeconfig,
      username: DEMO_USER,
      password,
      containerd: containerd?.socket ?? null,
      async stop() {
        await daemon.close();
        await sim.stop();
        stopContainerd();
      },
    };
  } catch (error) {
    await sim.stop();
    stopContainerd();
    throw error;
  }
}
