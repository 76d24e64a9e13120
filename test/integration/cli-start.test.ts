// Starting is all or nothing, with the real CLI (`npm start` runs `node daemon/src/cli.ts serve`):
// a port that is taken makes the daemon stop what it started and exit non-zero within 5 s, with one
// line on stderr naming the address, the port and the setting behind it.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { StartupError } from '../../daemon/src/main.ts';
import { CLI, ROOT, startTestDaemon, tempDir } from '../helpers/daemon.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Holds a loopback port the way another program would. */
async function occupyPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as net.AddressInfo).port;
}

/** Runs `outpost serve` and waits (5 s deadline) for it to exit by itself. */
async function serveUntilExit(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }> {
  const home = tempDir();
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const child = spawn(process.execPath, [CLI, 'serve', '--config', 'none', '--home', home, ...args], { cwd: ROOT, env: { ...process.env, OUTPOST_KUBECONFIG: 'none' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`outpost serve still running after 5 s with a taken port\n${stderr}`));
    }, 5000);
    child.once('exit', (code, signal) => {
      clearTimeout(deadline);
      resolve({ code, signal, stderr, stdout });
    });
  });
}

describe('outpost serve with a port that is taken', () => {
  it('exits non-zero within 5 s naming the kiosk port and its setting, in one line', async () => {
    const port = await occupyPort();
    const result = await serveUntilExit(['--port', '0', '--kiosk-port', String(port)]);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`outpost: cannot listen on 127.0.0.1:${port} (kiosk.port / OUTPOST_KIOSK_PORT): address already in use\n`);
    // It never said it was serving.
    expect(result.stderr).not.toMatch(/LocalUI at/);
    expect(result.stdout).not.toMatch(/outpost listening/);
  }, 15_000);

  it('exits non-zero within 5 s naming the main port and its setting', async () => {
    const port = await occupyPort();
    const result = await serveUntilExit(['--port', String(port), '--kiosk-port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`outpost: cannot listen on 127.0.0.1:${port} (listen.port / OUTPOST_PORT): address already in use\n`);
  }, 15_000);

  it('names the address setting when the address is not one of this machine', async () => {
    const result = await serveUntilExit(['--listen', '192.0.2.1', '--port', '0', '--kiosk-port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^outpost: cannot listen on 192\.0\.2\.1:0 \(listen\.address \/ OUTPOST_LISTEN\): no network interface of this machine has that address\n$/);
  }, 15_000);

  it('closes the main listener it had opened when the kiosk port fails after it (in-process)', async () => {
    const kiosk = await occupyPort();
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const main = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    // In this process, so only the daemon's own clean-up can free the port it took.
    await expect(startTestDaemon({ listen: { address: '127.0.0.1', port: main }, kiosk: { port: kiosk } })).rejects.toThrow(StartupError);
    const again = net.createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(main, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => again.close(resolve));
  }, 15_000);
});
