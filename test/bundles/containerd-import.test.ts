// The forge's images are real: a verified, staged bundle's image blob imports into a real
// containerd (started here on a temp socket) under the reference the manifest records.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrust, verifyBundleFile } from '../../daemon/src/bundles/index.ts';
import { DEVICE, forgeBundle, serializeBundle, writeTrust } from '../fixtures/bundle-forge/forge.ts';

const run = promisify(execFile);
let dir: string;
let socket: string;
let containerd: ChildProcess | undefined;

const ctr = (...args: string[]) => run('ctr', ['-a', socket, '-n', 'k8s.io', ...args], { timeout: 15_000 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outpost-bundle-ctr-'));
  socket = join(dir, 'containerd.sock');
  const config = join(dir, 'containerd.toml');
  await writeFile(config, `version = 2\nroot = "${dir}/root"\nstate = "${dir}/state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "${socket}"\n`);
  containerd = spawn('containerd', ['--config', config], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await run('ctr', ['-a', socket, 'version'], { timeout: 2_000 });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`containerd did not answer on ${socket}`, { cause: error });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});

afterAll(async () => {
  if (containerd?.pid !== undefined && containerd.exitCode === null) {
    const exited = new Promise((r) => containerd?.once('exit', r));
    containerd.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (containerd.exitCode === null) containerd.kill('SIGKILL');
  }
  await rm(dir, { recursive: true, force: true });
});

describe('a staged image', () => {
  it('imports into containerd under the reference recorded in the manifest', async () => {
    const file = join(dir, 'app.outpost');
    await writeFile(file, serializeBundle(forgeBundle()));
    await mkdir(join(dir, 'stage'));
    const trust = await loadTrust(await writeTrust(join(dir, 'trust')));
    const verified = await verifyBundleFile(file, { trust, device: DEVICE, stageTo: join(dir, 'stage') });
    const image = verified.files.find((f) => f.role === 'image');
    expect(image?.stagedPath).toMatch(/0004\.blob$/);
    await ctr('images', 'import', image?.stagedPath ?? '');
    const { stdout } = await ctr('images', 'ls', '-q');
    expect(stdout.split('\n')).toContain(image?.references?.[0]);
  });
});
