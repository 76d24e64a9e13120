// Starting the daemon for tests: in-process (startDaemon on port 0) or as a child process (the
// real CLI), each on its own temp OUTPOST_HOME.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../../daemon/src/config/index.ts';
import { createLogger } from '../../daemon/src/lib/logger.ts';
import { startDaemon, type DaemonHandle } from '../../daemon/src/main.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'daemon/src/cli.ts');

export function tempDir(prefix = 'outpost-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export interface TestDaemon extends DaemonHandle {
  home: string;
  stop(): Promise<void>;
}

/** Starts the daemon in this process on a loopback port chosen by the kernel. */
export async function startTestDaemon(overrides: Record<string, unknown> = {}): Promise<TestDaemon> {
  const home = tempDir();
  // No cluster unless a test names one: never the developer's own ~/.kube/config or k3s.
  const yaml = JSON.stringify({ home, listen: { address: '127.0.0.1', port: 0 }, kiosk: { port: 0 }, log: { level: 'silent' }, cluster: { kubeconfig: 'none' }, ...overrides });
  const result = resolveConfig({ file: { path: 'test-config', text: yaml }, env: {}, flags: {}, cwd: home });
  if (!result.ok) throw new Error(`bad test config: ${JSON.stringify(result.problems)}`);
  const handle = await startDaemon(result.config, createLogger(result.config.log.level));
  return {
    ...handle,
    home,
    async stop() {
      await handle.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface SpawnedDaemon {
  child: ChildProcess;
  url: string;
  port: number;
  kioskUrl: string | null;
  kioskPort: number | null;
  stderr(): string;
  stdout(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Runs `outpost serve` as a child process and waits for it to print its URL. */
export function spawnDaemon(options: { home: string; port?: number; kioskPort?: number; args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number; config?: string }): Promise<SpawnedDaemon> {
  const args = [CLI, 'serve', '--config', options.config ?? 'none', '--home', options.home, '--port', String(options.port ?? 0), '--kiosk-port', String(options.kioskPort ?? 0), ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, OUTPOST_KUBECONFIG: 'none', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`daemon did not start within ${options.timeoutMs ?? 15_000} ms\n${err}\n${out}`));
    }, options.timeoutMs ?? 15_000);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const match = /LocalUI at (https?:\/\/[^\s]+)/.exec(err);
      const kiosk = /kiosk screen at (http:\/\/[^\s]+\/)kiosk/.exec(err);
      if (match?.[1] && (kiosk?.[1] || options.args?.includes('--no-kiosk'))) {
        clearTimeout(timer);
        const url = match[1];
        const kioskUrl = kiosk?.[1] ?? null;
        resolve({ child, url, port: Number(new URL(url).port), kioskUrl, kioskPort: kioskUrl ? Number(new URL(kioskUrl).port) : null, stderr: () => err, stdout: () => out, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited (${code}) before it listened\n${err}\n${out}`));
    });
  });
}

/** Stops a spawned daemon with SIGTERM, escalating to SIGKILL after `graceMs`. */
export async function stopDaemon(daemon: SpawnedDaemon, graceMs = 6000): Promise<number | string> {
  if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) return daemon.exited;
  daemon.child.kill('SIGTERM');
  const timer = setTimeout(() => daemon.child.kill('SIGKILL'), graceMs);
  const code = await daemon.exited;
  clearTimeout(timer);
  return code;
}
