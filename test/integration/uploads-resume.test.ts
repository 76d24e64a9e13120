// A 1 GiB upload over a bad link: the real tus client, the real daemon as a child process, the
// connection cut three times (its socket killed twice, the daemon killed and started again once on
// the same home and port). It completes from the offsets on disk, is verified and offered.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeBigBundle } from '../bench/big-bundle.ts';
import { writeTrust } from '../fixtures/bundle-forge/forge.ts';
import { KEY_A } from '../fixtures/bundle-forge/test-keys.ts';
import { createUser, login } from '../helpers/auth.ts';
import { spawnDaemon, stopDaemon, type SpawnedDaemon } from '../helpers/daemon.ts';
import { trackedAgent, tusUpload, uploadOutcome } from '../helpers/uploads.ts';

const GiB = 1024 ** 3;
let dir: string;
let home: string;
let config: string;
let file: string;
let daemon: SpawnedDaemon | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'outpost-upload-resume-'));
  home = path.join(dir, 'home');
  const trust = await writeTrust(path.join(dir, 'trust'));
  config = path.join(dir, 'config.yaml');
  writeFileSync(config, JSON.stringify({ upgrade: { trustDir: trust }, containerd: { ctr: '/bin/false' }, log: { level: 'warn' } }));
  file = path.join(dir, 'big.outpost');
  await writeBigBundle(file, GiB, KEY_A, 4);
  daemon = await spawnDaemon({ home, config });
  await createUser(home, 'olga', 'operator');
}, 120_000);

afterAll(async () => {
  if (daemon) await stopDaemon(daemon);
  rmSync(dir, { recursive: true, force: true });
});

it('completes a 1 GiB upload cut three times (two killed sockets, one daemon restart) and offers it', async () => {
  const session = await login(daemon!.url, 'olga');
  const port = daemon!.port;
  const link = trackedAgent();
  const cuts: string[] = [];
  const plan = [
    { at: 0.2, cut: async () => void cuts.push(`socket at ${link.cut()} connection(s)`) },
    { at: 0.45, cut: async () => void cuts.push(`socket at ${link.cut()} connection(s)`) },
    {
      at: 0.7,
      cut: async () => {
        daemon!.child.kill('SIGKILL');
        await daemon!.exited;
        daemon = await spawnDaemon({ home, config, port });
        cuts.push('daemon restarted');
      },
    },
  ];
  let busy: Promise<unknown> = Promise.resolve();
  const run = tusUpload(daemon!.url, session, file, {
    agent: link.agent,
    onProgress: (sent, total) => {
      const next = plan[0];
      if (next && sent / total >= next.at) {
        plan.shift();
        busy = busy.then(next.cut);
      }
    },
  });
  const url = await run.done;
  await busy;
  expect(cuts).toHaveLength(3);
  expect(cuts[2]).toBe('daemon restarted');
  const outcome = await uploadOutcome(daemon!.url, session, new URL(url).pathname, 120_000);
  expect(outcome.state).toBe('offered');
  const res = await fetch(new URL('/api/v1/bundles', daemon!.url), { headers: session.auth() });
  const bundles = ((await res.json()) as { bundles: { id: string; source: string; bytes: number }[] }).bundles;
  expect(bundles.find((b) => b.id === outcome.bundle?.id)).toMatchObject({ source: 'upload' });
  expect(readdirSync(path.join(home, 'uploads'))).toEqual([]);
}, 300_000);
