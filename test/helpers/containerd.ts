// A real containerd for tests: the one CI started (OUTPOST_TEST_CONTAINERD_SOCKET), else a private
// one on a temp socket (needs root and the containerd binary). `ctr` runs against it; `cleanup`
// removes the images a test imported under its own prefix.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestContainerd {
  socket: string;
  /** A folder on the same file system as containerd's root, for the disk check. */
  root: string;
  namespace: string;
  ctr(...args: string[]): Promise<string>;
  /** Image references with their labels, for references starting with `prefix`. */
  images(prefix: string): Promise<Map<string, Record<string, string>>>;
  removeImages(prefix: string): Promise<void>;
  stop(): Promise<void>;
}

/** `private`: always start our own (the bench compares two clean stores). */
export async function useContainerd(namespace = 'k8s.io', options: { private?: boolean } = {}): Promise<TestContainerd> {
  let socket = options.private ? '' : (process.env.OUTPOST_TEST_CONTAINERD_SOCKET ?? '');
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  if (!socket) {
    dir = mkdtempSync(path.join(tmpdir(), 'outpost-ctrd-'));
    socket = path.join(dir, 'containerd.sock');
    const config = path.join(dir, 'containerd.toml');
    writeFileSync(config, `version = 2\nroot = "${dir}/root"\nstate = "${dir}/state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "${socket}"\n`);
    child = spawn('containerd', ['--config', config], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await run('ctr', ['-a', socket, 'version'], { timeout: 2000 });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`containerd did not answer on ${socket}`, { cause: error });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  const ctr = async (...args: string[]) => (await run('ctr', ['-a', socket, '-n', namespace, ...args], { timeout: 30_000, maxBuffer: 16 << 20 })).stdout;
  const images = async (prefix: string) => {
    const out = new Map<string, Record<string, string>>();
    for (const line of (await ctr('images', 'ls')).split('\n').slice(1)) {
      const parts = line.trim().split(/\s+/);
      if (!parts[0]?.startsWith(prefix)) continue;
      const raw = parts[parts.length - 1] ?? '-';
      out.set(parts[0], raw === '-' ? {} : Object.fromEntries(raw.split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)])));
    }
    return out;
  };
  return {
    socket,
    root: dir ?? tmpdir(),
    namespace,
    ctr,
    images,
    async removeImages(prefix) {
      const refs = [...(await images(prefix)).keys()];
      if (refs.length > 0) await ctr('images', 'rm', ...refs);
    },
    async stop() {
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child?.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
