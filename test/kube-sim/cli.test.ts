// `npm run sim`'s CLI: prints the URL and kubeconfig path, serves kubectl, stops on SIGTERM,
// and refuses bad arguments with exit code 2.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { until, waitExit } from './test-kit.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const demo = fileURLToPath(new URL('./fixtures/demo', import.meta.url));
const scripts = fileURLToPath(new URL('../../scripts/k8s', import.meta.url));
const children: ReturnType<typeof spawn>[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function run(args: string[]): ReturnType<typeof spawn> & { out: () => string } {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { out: () => out });
}

describe('kube-sim CLI', () => {
  it('writes a kubeconfig kubectl can use and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kube-sim-cli-'));
    dirs.push(dir);
    const kubeconfig = join(dir, 'kc.yaml');
    const child = run(['--port', '0', '--kubeconfig-out', kubeconfig, '--fixtures', demo, '--images', join(demo, 'images.txt'), '--fast']);
    const url = await until('listening line', () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(child.out())?.[1]);
    expect(child.out()).toContain(`kubeconfig written to ${kubeconfig}`);
    expect(await readFile(kubeconfig, 'utf8')).toContain(`server: ${url}`);
    const got = await new Promise<string>((resolve, reject) => {
      const k = spawn('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'get', 'ns', '-o', 'name'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      k.stdout.on('data', (d: Buffer) => (text += d.toString()));
      const timer = setTimeout(() => k.kill('SIGKILL'), 10_000);
      k.on('exit', (code) => (clearTimeout(timer), code === 0 ? resolve(text) : reject(new Error(`kubectl exited ${code}`))));
    });
    expect(got.split('\n')).toEqual(expect.arrayContaining(['namespace/ingest', 'namespace/messaging', 'namespace/historian', 'namespace/edge-system']));
    child.kill('SIGTERM');
    expect(await waitExit(child, 5000)).toBe(0);
  });

  it('loads several fixture folders and writes a ServiceAccount kubeconfig RBAC applies to', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kube-sim-cli-'));
    dirs.push(dir);
    const web = join(dir, 'web.kubeconfig');
    const args = ['--port', '0', '--kubeconfig-out', join(dir, 'admin'), '--fixtures', demo, '--fixtures', scripts, '--fast'];
    const child = run([...args, '--token-kubeconfig', `outpost-system/outpost-web=${web}`]);
    await until('token kubeconfig written', () => child.out().includes(`kubeconfig for serviceaccount outpost-system/outpost-web written to ${web}`));
    expect(await readFile(web, 'utf8')).toMatch(/server: https:\/\/127\.0\.0\.1:\d+\n\s+certificate-authority-data: /);
    const kubectl = (cmd: string[]): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve) => {
        const k = spawn('/usr/bin/kubectl', ['--kubeconfig', web, '--cache-dir', join(dir, 'cache'), ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        k.stdout.on('data', (d: Buffer) => (out += d.toString()));
        k.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const timer = setTimeout(() => k.kill('SIGKILL'), 10_000);
        k.on('exit', (code) => (clearTimeout(timer), resolve({ code, out })));
      });
    expect((await kubectl(['get', 'ns', 'ingest', '-o', 'name'])).out).toBe('namespace/ingest\n');
    const refused = await kubectl(['delete', 'ns', 'ingest']);
    expect(refused.out).toContain('User "system:serviceaccount:outpost-system:outpost-web" cannot delete resource "namespaces"');
    child.kill('SIGTERM');
    expect(await waitExit(child, 5000)).toBe(0);
    const missing = run([...args, '--token-kubeconfig', `outpost-system/nobody=${web}`]);
    expect(await waitExit(missing, 10_000)).toBe(2);
    expect(missing.out()).toContain('serviceaccounts "nobody" not found');
  });

  it('exits 2 with a message when --kubeconfig-out is missing or the port is bad', async () => {
    const missing = run(['--port', '0']);
    expect(await waitExit(missing, 10_000)).toBe(2);
    expect(missing.out()).toContain('--kubeconfig-out FILE is required');
    const bad = run(['--port', 'x', '--kubeconfig-out', '/tmp/never']);
    expect(await waitExit(bad, 10_000)).toBe(2);
    expect(bad.out()).toContain('--port must be an integer');
  });

  it('exits 1 naming the file when a fixture is broken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kube-sim-cli-'));
    dirs.push(dir);
    await writeFile(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkind: [unclosed\n');
    const child = run(['--port', '0', '--kubeconfig-out', join(dir, 'kc'), '--fixtures', dir]);
    expect(await waitExit(child, 10_000)).toBe(1);
    expect(child.out()).toContain(`kube-sim: cannot start: ${join(dir, 'a.yaml')}`);
    await writeFile(join(dir, 'a.yaml'), 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n');
    const unknown = run(['--port', '0', '--kubeconfig-out', join(dir, 'kc'), '--fixtures', dir]);
    expect(await waitExit(unknown, 10_000)).toBe(1);
    expect(unknown.out()).toContain('no resource for kind "Widget" in version "example.com/v1"');
  });
});
