// The image store fed by a real containerd: a pod waits in ErrImagePull until the image is
// imported with `ctr`, then starts. containerd runs on a temp socket (as root, like CI).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from './index.ts';
import { FAST, until, waitExit } from './test-kit.ts';

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 20_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

describe('kube-sim with a real containerd', () => {
  let dir: string;
  let containerd: ChildProcess | undefined;
  let sim: KubeSim | undefined;
  let socket: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kube-sim-ctd-'));
    socket = join(dir, 'containerd.sock');
    await writeFile(
      join(dir, 'config.toml'),
      `version = 2\nroot = "${dir}/root"\nstate = "${dir}/state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "${socket}"\n`,
    );
    containerd = spawn('containerd', ['--config', join(dir, 'config.toml')], { stdio: 'ignore' });
    await until('containerd answers', () => run('ctr', ['-a', socket, 'version']).then(() => true), 10_000, 100);
  });

  afterEach(async () => {
    await sim?.stop();
    if (containerd && containerd.exitCode === null) {
      containerd.kill('SIGTERM');
      await waitExit(containerd, 5000).catch(() => containerd?.kill('SIGKILL'));
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('starts a pod once its image is imported into containerd', async () => {
    sim = await startKubeSim({ port: 0, tickMs: 50, timing: FAST, containerdSocket: socket, imagePollMs: 100 });
    const info = sim.cluster.api.info('v1', 'Pod');
    sim.cluster.api.create(info, 'default', { metadata: { name: 'probe' }, spec: { containers: [{ name: 'probe', image: 'registry.local/edge/probe:1' }] } });
    await until('image pull failing', () =>
      ['ErrImagePull', 'ImagePullBackOff'].includes(sim?.cluster.get('v1', 'Pod', 'default', 'probe')?.status?.containerStatuses?.[0]?.state?.waiting?.reason),
    );
    const layout = join(dir, 'img');
    await run('umoci', ['init', '--layout', layout]);
    await run('umoci', ['new', '--image', `${layout}:1`]);
    await run('tar', ['-C', layout, '-cf', join(dir, 'img.tar'), '.']);
    await run('ctr', ['-a', socket, '-n', 'k8s.io', 'images', 'import', '--base-name', 'registry.local/edge/probe', join(dir, 'img.tar')]);
    expect(await run('ctr', ['-a', socket, '-n', 'k8s.io', 'images', 'ls', '-q'])).toContain('registry.local/edge/probe:1');
    await until('pod running', () => sim?.cluster.get('v1', 'Pod', 'default', 'probe')?.status?.phase === 'Running', 10_000);
    expect(sim.cluster.images.list()).toContain('registry.local/edge/probe:1');
  });
});
