// Upgrade bench: a 10-image bundle (10 × ~50 MB, 10 × 5 MB with BENCH_QUICK=1) end to end through
// the daemon (a child process): offer (verify and stage), import into containerd, server-side
// apply, health gate (sim with fast timings, stability window 0). Reference, same run: plain
// `ctr images import` of the same archives into a second, empty containerd plus `kubectl apply
// --server-side` of the same manifests. Also the daemon's peak RSS over the whole run.
import { execFile } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { connectAgentSocket } from '../../daemon/src/agent/index.ts';
import { buildBundle } from '../../daemon/src/bundles/index.ts';
import { simpleTar } from '../fixtures/bundle-forge/raw-tar.ts';
import { KEY_A } from '../fixtures/bundle-forge/test-keys.ts';
import { useContainerd } from '../helpers/containerd.ts';
import { spawnDaemon, stopDaemon } from '../helpers/daemon.ts';
import { deploymentYaml, writeTrustFolder } from '../helpers/upgrade-bundles.ts';
import { startKubeSim } from '../kube-sim/index.ts';
import { memory, mb, QUICK, ratio, type BenchRow } from './lib.ts';

const run = promisify(execFile);
const IMAGES = 10;
const IMAGE_BYTES = (QUICK ? 5 : 50) << 20;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** An OCI archive with one uncompressed layer of random bytes (no gzip: the bench measures the pipeline, not zlib). */
function largeImage(reference: string, bytes: number): Buffer {
  const layer = simpleTar([{ name: 'payload.bin', body: randomBytes(bytes) }]);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layer)}`] } }));
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha(config)}`, size: config.length }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${sha(layer)}`, size: layer.length }] }));
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${sha(manifest)}`, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': reference } }] }));
  return simpleTar([
    { name: `blobs/sha256/${sha(config)}`, body: config },
    { name: `blobs/sha256/${sha(layer)}`, body: layer },
    { name: `blobs/sha256/${sha(manifest)}`, body: manifest },
    { name: 'index.json', body: index },
    { name: 'oci-layout', body: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
  ]);
}

export default async function upgradeBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-bench-upgrade-'));
  const ours = await useContainerd('k8s.io', { private: true });
  const reference = await useContainerd('k8s.io', { private: true });
  const sim = await startKubeSim({ port: 0, tickMs: 100, containerdSocket: ours.socket, imagePollMs: 250, timing: { readyAfterMs: 300, runMs: 1500, backoffBaseMs: 2000, backoffMaxMs: 20_000, terminationMs: 300 } });
  try {
    const src = path.join(dir, 'src');
    for (const sub of ['images', 'manifests']) mkdirSync(path.join(src, sub), { recursive: true });
    const archives: string[] = [];
    const deployments: string[] = [];
    for (let i = 0; i < IMAGES; i += 1) {
      const ref = `registry.local/bench/app${i}:1.0`;
      archives.push(path.join(src, 'images', `app${i}.tar`));
      writeFileSync(archives[i] as string, largeImage(ref, IMAGE_BYTES));
      deployments.push(deploymentYaml('bench', `app${i}`, ref));
    }
    const manifests = ['apiVersion: v1\nkind: Namespace\nmetadata: {name: bench}\n', ...deployments].join('---\n');
    writeFileSync(path.join(src, 'manifests', 'app.yaml'), manifests);
    writeFileSync(path.join(src, 'bundle.yaml'), 'name: bench\nversion: 1.0.0\nsequence: 1\ncreated: 2026-05-01T00:00:00Z\nexpires: 2036-05-01T00:00:00Z\nrequires: {architecture: amd64, kubernetes: ">=1.28.0", outpost: 0.1.0}\nannotations: {outpost.dev/health-stability-seconds: "0"}\n');
    const bundle = path.join(dir, 'bench.outpost');
    await buildBundle({ from: src, keys: [KEY_A], out: bundle });
    const kubeconfig = await sim.writeKubeconfig(path.join(dir, 'kubeconfig'));

    // Reference: plain ctr import of the same archives, then kubectl apply --server-side.
    const refStart = performance.now();
    for (const archive of archives) await run('ctr', ['-a', reference.socket, '-n', 'k8s.io', 'images', 'import', archive], { timeout: 300_000 });
    const refImported = performance.now();
    const refManifests = path.join(dir, 'ref.yaml');
    writeFileSync(refManifests, manifests.replaceAll('bench', 'bench-ref'));
    await run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'kcache'), 'apply', '--server-side', '-f', refManifests], { timeout: 60_000 });
    const refSeconds = (performance.now() - refStart) / 1000;

    // Ours: the daemon as a child process, driven through its agent socket as the CLI does.
    const home = path.join(dir, 'home');
    const config = path.join(dir, 'outpost.json');
    writeFileSync(config, JSON.stringify({ log: { level: 'warn' }, cluster: { kubeconfig }, containerd: { address: ours.socket, root: ours.root }, upgrade: { trustDir: await writeTrustFolder(path.join(dir, 'trust')), pollMs: 200 } }));
    const daemon = await spawnDaemon({ home, config, env: { OUTPOST_KUBECONFIG: kubeconfig }, timeoutMs: 60_000 });
    const client = await connectAgentSocket(path.join(home, 'agent.sock'));
    const phases = new Map<string, number>();
    let outcome = '';
    const start = performance.now();
    try {
      const offered = await client.offerBundle({ name: 'bench', role: 'admin', address: 'local' }, { path: bundle, source: 'cli' });
      const offeredAt = performance.now();
      const { upgradeId } = await client.applyBundle({ name: 'bench', role: 'admin', address: 'local' }, offered.bundle.id);
      const record = await client.followUpgrade(upgradeId, (r) => {
        if (!phases.has(r.phase)) phases.set(r.phase, performance.now());
      });
      outcome = `${record.outcome}${record.code ? ` ${record.code}` : ''}`;
      const seconds = (performance.now() - start) / 1000;
      const peak = memory(daemon.child.pid as number).hwm;
      const at = (p: string) => phases.get(p) ?? start;
      const total = (IMAGES * IMAGE_BYTES) / 2 ** 20;
      return [
        { name: `offer + import + apply + gate, ${IMAGES} × ${IMAGE_BYTES >> 20} MB`, value: `${seconds.toFixed(2)} s (${outcome})`, reference: `${refSeconds.toFixed(2)} s ctr import + kubectl apply --server-side`, ratio: ratio(seconds, refSeconds), goal: '≤ 1.30×' },
        { name: 'offer (verify, stage, fsync, plan)', value: `${((offeredAt - start) / 1000).toFixed(2)} s`, note: `${total.toFixed(0)} MB bundle` },
        { name: 'import (ctr, pin, check)', value: `${((at('applying') - at('importing')) / 1000).toFixed(2)} s`, reference: `${((refImported - refStart) / 1000).toFixed(2)} s plain ctr import`, ratio: ratio(at('applying') - at('importing'), refImported - refStart) },
        { name: 'apply + gate + commit', value: `${((performance.now() - at('applying')) / 1000).toFixed(2)} s`, note: 'gate: pods ready, stability window 0' },
        { name: 'daemon peak RSS over the run', value: mb(peak), goal: '≤ 150 MB' },
      ];
    } finally {
      client.close();
      await stopDaemon(daemon);
    }
  } finally {
    await sim.stop();
    await ours.stop();
    await reference.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
