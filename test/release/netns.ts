// Running a command inside a fresh network namespace that has only a loopback interface: no route,
// no DNS server reachable, nothing but 127.0.0.1 and ::1. As root `unshare -n`; otherwise
// `unshare -rn` (a user namespace maps us to root, so `ip link set lo up` is allowed).
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export function commandAvailable(name: string): boolean {
  return (process.env.PATH ?? '/usr/bin:/bin').split(':').some((dir) => {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why a loopback-only namespace cannot be made here, or null when it can. */
export function netnsUnavailable(): string | null {
  for (const tool of ['unshare', 'ip']) if (!commandAvailable(tool)) return `${tool} is not installed`;
  return null;
}

export interface NetnsResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `argv` in a new network namespace after bringing `lo` up. Rejects after `timeoutMs`
 * (the whole process group is killed). stdout and stderr are kept in full up to 8 MiB each.
 */
export function runInNetns(argv: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number }): Promise<NetnsResult> {
  const unshare = process.getuid?.() === 0 ? ['unshare', '-n'] : ['unshare', '-rn'];
  const script = 'ip link set lo up && exec "$@"';
  const child = spawn(unshare[0]!, [...unshare.slice(1), '--', 'sh', '-c', script, 'netns', ...argv], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const cap = 8 << 20;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => stdout.length < cap && (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => stderr.length < cap && (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      reject(new Error(`${argv.join(' ')} did not finish within ${options.timeoutMs} ms\nstdout:\n${stdout.slice(-4000)}\nstderr:\n${stderr.slice(-4000)}`));
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
