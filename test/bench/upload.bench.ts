// Bench: a 2 GiB bundle uploaded over loopback through the daemon's tus route (a real `outpost serve`
// child; the client is curl, so only the server differs) against `curl -T` of the same file to a plain
// Node http server that writes it to disk, in the same run (reference before and after: the mean).
// Goal: ≥ 0.8× the reference's throughput, the daemon's RSS ≤ 150 MB while it receives.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeTrust } from '../fixtures/bundle-forge/forge.ts';
import { KEY_A } from '../fixtures/bundle-forge/test-keys.ts';
import { createUser, login } from '../helpers/auth.ts';
import { spawnDaemon, stopDaemon } from '../helpers/daemon.ts';
import { uploadOutcome } from '../helpers/uploads.ts';
import { writeBigBundle } from './big-bundle.ts';
import { mb, memory, QUICK, ratio, type BenchRow } from './lib.ts';

const run = promisify(execFile);
const REFERENCE = fileURLToPath(new URL('./upload-reference-server.ts', import.meta.url));

async function curl(args: string[]): Promise<{ seconds: number; code: string }> {
  const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', ...args], { timeout: 20 * 60_000 });
  const [code, seconds] = stdout.trim().split(' ');
  return { code: code as string, seconds: Number(seconds) };
}

async function reference(file: string, dir: string): Promise<number> {
  const child = spawn(process.execPath, [REFERENCE, path.join(dir, 'reference.bin')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
    const r = await curl(['-T', file, `http://127.0.0.1:${port}/reference`]);
    if (r.code !== '200') throw new Error(`reference answered ${r.code}`);
    return r.seconds;
  } finally {
    child.kill();
    rmSync(path.join(dir, 'reference.bin'), { force: true });
  }
}

export default async function benchUpload(): Promise<BenchRow[]> {
  const bytes = QUICK ? 256 * 1024 * 1024 : 2 * 1024 ** 3;
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-bench-upload-'));
  try {
    const file = path.join(dir, 'big.outpost');
    await writeBigBundle(file, bytes, KEY_A, 4);
    const size = statSync(file).size;
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, JSON.stringify({ upgrade: { trustDir: await writeTrust(path.join(dir, 'trust')) }, containerd: { ctr: '/bin/false' }, log: { level: 'warn' } }));
    const home = path.join(dir, 'home');
    const before = await reference(file, dir);
    // As on a device: the web process receives (it is what is measured); the agent, its child, verifies.
    const cli = fileURLToPath(new URL('../../daemon/src/cli.ts', import.meta.url));
    // The web process's V8 flags as `npm start` and the installed command give them.
    const daemon = await spawnDaemon({ home, config, args: ['--with-agent'], command: [process.execPath, '--max-semi-space-size=1', cli] });
    let ours: number;
    let idle: number;
    let peak = 0;
    try {
      await createUser(home, 'bench', 'operator');
      const session = await login(daemon.url, 'bench');
      const { 'content-type': _json, ...base } = session.headers();
      const headers = Object.entries({ ...base, 'tus-resumable': '1.0.0' }).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
      const created = await run('curl', ['-sS', '-i', '-X', 'POST', ...headers, '-H', `upload-length: ${size}`, new URL('/api/v1/uploads', daemon.url).href]);
      const location = /^location: (\S+)/im.exec(created.stdout)?.[1];
      if (!location) throw new Error(`no upload created: ${created.stdout}`);
      idle = memory(daemon.child.pid as number).rss;
      const sampler = setInterval(() => (peak = Math.max(peak, memory(daemon.child.pid as number).rss)), 100);
      try {
        const patch = ['-X', 'PATCH', '-T', file, ...headers, '-H', 'upload-offset: 0', '-H', 'content-type: application/offset+octet-stream', new URL(location, daemon.url).href];
        const r = await curl(patch);
        if (r.code !== '204') throw new Error(`the PATCH answered ${r.code}`);
        ours = r.seconds;
      } finally {
        clearInterval(sampler);
      }
      const outcome = await uploadOutcome(daemon.url, session, location, 10 * 60_000);
      if (outcome.state !== 'offered') throw new Error(`the uploaded bundle was ${outcome.state}: ${outcome.error?.code}`);
    } finally {
      await stopDaemon(daemon);
    }
    const after = await reference(file, dir);
    const ref = (before + after) / 2;
    const rate = (s: number) => `${(size / s / 1e6).toFixed(0)} MB/s`;
    return [
      { name: `tus upload of ${mb(size)} over loopback (curl PATCH)`, value: rate(ours), reference: `${rate(ref)} curl -T to a plain Node server (${before.toFixed(1)} s / ${after.toFixed(1)} s)`, ratio: ratio(ref, ours), goal: '≥ 0.8×' },
      { name: 'daemon RSS while receiving (idle → peak)', value: `${mb(idle)} → ${mb(peak)}`, goal: '≤ 150 MB' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
