// Test helpers: a sim on port 0 with fast timings, the real kubectl against it (temp kubeconfig
// and cache dir), child processes that are always killed, and polling with deadlines.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeSim, type KubeSim, type KubeSimOptions } from './index.ts';

export const FAST = { readyAfterMs: 150, runMs: 400, backoffBaseMs: 400, backoffMaxMs: 2000, terminationMs: 150 };

export interface SimHarness {
  sim: KubeSim;
  dir: string;
  kubeconfig: string;
  kubectl(args: string[], options?: { timeoutMs?: number; input?: string }): Promise<{ code: number; stdout: string; stderr: string }>;
  spawnKubectl(args: string[]): ChildProcess & { output: () => string };
  close(): Promise<void>;
}

export async function startHarness(options: KubeSimOptions = {}): Promise<SimHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-sim-'));
  const sim = await startKubeSim({ port: 0, tickMs: 50, logIntervalMs: 200, timing: FAST, ...options });
  const kubeconfig = await sim.writeKubeconfig(join(dir, 'kubeconfig'));
  const children = new Set<ChildProcess>();
  const base = ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), '--request-timeout', '10s'];
  return {
    sim,
    dir,
    kubeconfig,
    kubectl(args, opts = {}) {
      return new Promise((resolve) => {
        const child = execFile(
          '/usr/bin/kubectl',
          [...base, ...args],
          { timeout: opts.timeoutMs ?? 15_000, maxBuffer: 8 * 1024 * 1024, env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir } },
          (error, stdout, stderr) => {
            children.delete(child);
            const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
        children.add(child);
        if (opts.input !== undefined) child.stdin?.end(opts.input);
      });
    },
    spawnKubectl(args) {
      const child = spawn('/usr/bin/kubectl', [...base, ...args], {
        env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', () => children.delete(child));
      return Object.assign(child, { output: () => out });
    },
    async close() {
      for (const child of children) child.kill('SIGKILL');
      await sim.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a truthy value or the deadline passes (then throws). */
export async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function waitExit(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Parses kubectl's aligned column output into rows of {COLUMN: value}. */
export function columns(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0] ?? '';
  const starts: { name: string; at: number }[] = [];
  const re = /\S+(?: \S+)*/g;
  for (let m = re.exec(header); m; m = re.exec(header)) starts.push({ name: m[0], at: m.index });
  return lines.slice(1).map((line) => Object.fromEntries(starts.map((s, i) => [s.name, line.slice(s.at, starts[i + 1]?.at ?? line.length).trim()])));
}

/** The header client-node's KubernetesObjectApi.read/delete want, from a loosely typed object. */
export function header(o: { apiVersion: string; kind: string; metadata: Record<string, unknown> }): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
} {
  const ns = o.metadata.namespace;
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: String(o.metadata.name), ...(typeof ns === 'string' ? { namespace: ns } : {}) } };
}
