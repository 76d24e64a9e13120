// Upgrade bench: a 10-image bundle (10 × ~50 MB, 10 × 5 MB with BENCH_QUICK=1) end to end through
// the daemon (a child process): offer (verify and stage), import into containerd, server-side
// apply, health gate (sim with fast timings, stability window 0). Reference, same run: plain
// `ctr images import` of the same archives into a second, empty containerd plus `kubectl apply
// --server-side` of the same manifests. Also the daemon's peak RSS over the whole run.
import { execFile, spawn } from 'node:child_process';
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
import { CLI, spawnDaemon, stopDaemon } from '../helpers/daemon.ts';
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

/** ctr import of every archive into an empty containerd, then kubectl apply --server-side: seconds (import part, total). */
async function referenceRun(archives: string[], manifests: string, namespace: string, kubeconfig: string, dir: string): Promise<{ imported: number; total: number }> {
  const store = await useContainerd('k8s.io', { private: true });
  try {
    const start = performance.now();
    for (const archive of archives) await run('ctr', ['-a', store.socket, '-n', 'k8s.io', 'images', 'import', archive], { timeout: 300_000 });
    const imported = performance.now();
    const file = path.join(dir, `${namespace}.yaml`);
    writeFileSync(file, manifests.replaceAll('namespace: bench', `namespace: ${namespace}`).replace('name: bench}', `name: ${namespace}}`));
    await run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'kcache'), 'apply', '--server-side', '-f', file], { timeout: 60_000 });
    return { imported: (imported - start) / 1000, total: (performance.now() - start) / 1000 };
  } finally {
    await store.stop();
  }
}

/** Peak RSS of a child process, polled from /proc until it exits. */
function watchPeak(pid: number): () => number {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memory(pid).hwm);
    } catch {
      clearInterval(timer);
    }
  }, 50);
  return () => (clearInterval(timer), peak);
}

function writeSource(src: string, version: string, sequence: number, archives: Map<string, Buffer>, manifests: string): void {
  for (const sub of ['images', 'manifests']) mkdirSync(path.join(src, sub), { recursive: true });
  for (const [name, body] of archives) writeFileSync(path.join(src, 'images', name), body);
  writeFileSync(path.join(src, 'manifests', 'app.yaml'), manifests);
  writeFileSync(path.join(src, 'bundle.yaml'), `name: bench\nversion: ${version}\nsequence: ${sequence}\ncreated: 2026-05-01T00:00:00Z\nexpires: 2036-05-01T00:00:00Z\nrequires: {architecture: amd64, kubernetes: ">=1.28.0", outpost: 0.1.0}\nannotations: {outpost.dev/health-stability-seconds: "0"}\n`);
}

export default async function upgradeBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-bench-upgrade-'));
  const ours = await useContainerd('k8s.io', { private: true });
  // The sim learns of imported images by listing containerd (a real kubelet sees them at once).
  const sim = await startKubeSim({ port: 0, tickMs: 100, containerdSocket: ours.socket, imagePollMs: 300, timing: { readyAfterMs: 300, runMs: 1500, backoffBaseMs: 2000, backoffMaxMs: 20_000, terminationMs: 300 } });
  try {
    const images = new Map<string, Buffer>();
    const deployments: string[] = [];
    for (let i = 0; i < IMAGES; i += 1) {
      const ref = `registry.local/bench/app${i}:1.0`;
      images.set(`app${i}.tar`, largeImage(ref, IMAGE_BYTES));
      deployments.push(deploymentYaml('bench', `app${i}`, ref));
    }
    const manifests = ['apiVersion: v1\nkind: Namespace\nmetadata: {name: bench}\n', ...deployments].join('---\n');
    writeSource(path.join(dir, 'src'), '1.0.0', 1, images, manifests);
    const archives = [...images.keys()].map((name) => path.join(dir, 'src', 'images', name));
    const bundle = path.join(dir, 'bench.outpost');
    await buildBundle({ from: path.join(dir, 'src'), keys: [KEY_A], out: bundle });
    // The next version, for the engine alone in the CLI process: two new images, the rest unchanged.
    const next = new Map([...images].map(([name, body], i) => [name, i < 2 ? largeImage(`registry.local/bench/app${i}:1.1`, IMAGE_BYTES) : body]));
    writeSource(path.join(dir, 'src2'), '1.1.0', 2, next, manifests.replace(/app([01]):1\.0/g, 'app$1:1.1'));
    const bundle2 = path.join(dir, 'bench2.outpost');
    await buildBundle({ from: path.join(dir, 'src2'), keys: [KEY_A], out: bundle2 });
    images.clear();
    next.clear();
    const kubeconfig = await sim.writeKubeconfig(path.join(dir, 'kubeconfig'));

    // Reference before and after ours (the machine's load drifts; the two bracket our run).
    const before = await referenceRun(archives, manifests, 'bench-ref1', kubeconfig, dir);

    const home = path.join(dir, 'home');
    const config = path.join(dir, 'outpost.json');
    writeFileSync(config, JSON.stringify({ home, log: { level: 'warn' }, cluster: { kubeconfig }, containerd: { address: ours.socket, root: ours.root }, upgrade: { trustDir: await writeTrustFolder(path.join(dir, 'trust')), pollMs: 200 } }));
    const daemon = await spawnDaemon({ home, config, env: { OUTPOST_KUBECONFIG: kubeconfig }, timeoutMs: 60_000 });
    const client = await connectAgentSocket(path.join(home, 'agent.sock'));
    const phases = new Map<string, number>();
    const admin = { name: 'bench', role: 'admin', address: 'local' };
    let rows: BenchRow[];
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const idle = memory(daemon.child.pid as number).rss;
      const start = performance.now();
      const offered = await client.offerBundle(admin, { path: bundle, source: 'cli' });
      const offeredAt = performance.now();
      const { upgradeId } = await client.applyBundle(admin, offered.bundle.id);
      const record = await client.followUpgrade(upgradeId, (r) => {
        if (!phases.has(r.phase)) phases.set(r.phase, performance.now());
      });
      const end = performance.now();
      const seconds = (end - start) / 1000;
      const peak = memory(daemon.child.pid as number).hwm;
      const at = (p: string) => phases.get(p) ?? start;
      const after = await referenceRun(archives, manifests, 'bench-ref2', kubeconfig, dir);
      const ref = (before.total + after.total) / 2;
      const refImport = (before.imported + after.imported) / 2;
      rows = [
        { name: `offer + import + apply + gate, ${IMAGES} × ${IMAGE_BYTES >> 20} MB`, value: `${seconds.toFixed(2)} s (${record.outcome}${record.code ? ` ${record.code}` : ''})`, reference: `${ref.toFixed(2)} s ctr import + kubectl apply --server-side (${before.total.toFixed(1)} s before, ${after.total.toFixed(1)} s after)`, ratio: ratio(seconds, ref), goal: '≤ 1.30×' },
        { name: 'offer (verify, stage, fsync, plan)', value: `${((offeredAt - start) / 1000).toFixed(2)} s`, note: `${((IMAGES * IMAGE_BYTES) / 2 ** 20).toFixed(0)} MB bundle` },
        { name: 'preflight + import (ctr, pin, check)', value: `${((at('applying') - offeredAt) / 1000).toFixed(2)} s`, reference: `${refImport.toFixed(2)} s plain ctr import`, ratio: ratio((at('applying') - offeredAt) / 1000, refImport) },
        { name: 'apply + gate + commit', value: `${((end - at('applying')) / 1000).toFixed(2)} s`, note: 'gate: pods ready, stability window 0' },
        { name: 'daemon RSS: idle → peak over the run', value: `${mb(idle)} → ${mb(peak)}`, goal: '≤ 150 MB', note: 'the whole daemon (web, feed, health, cluster view) in one process' },
      ];
    } finally {
      client.close();
      await stopDaemon(daemon);
    }
    // The engine alone, as `outpost upgrade apply` runs it with no daemon (what the agent process will be).
    const cli = spawn(process.execPath, [CLI, 'upgrade', 'apply', bundle2, '--yes', '--json', '--config', config], { env: { ...process.env, OUTPOST_KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    const peakOf = watchPeak(cli.pid as number);
    let out = '';
    cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const cliStart = performance.now();
    await new Promise((resolve) => cli.once('exit', resolve));
    rows.push({ name: 'engine alone (CLI, no daemon): 2 new images + 10 objects', value: `${((performance.now() - cliStart) / 1000).toFixed(2)} s, peak RSS ${mb(peakOf())}`, goal: 'RSS ≤ 150 MB', note: out.trim().slice(0, 60) });
    return rows;
  } finally {
    await sim.stop();
    await ours.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
