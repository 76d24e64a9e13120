// The feed under a hostile client, against the real daemon as a child process (so its RSS is its
// own, read from /proc): 200,000 subscribe frames on the kiosk port, no login, from a client that
// reads nothing. The daemon's memory must stay flat (under 50 MB of growth, also after the socket
// closes) and /healthz must keep answering within 100 ms — measured against the same daemon's worst
// /healthz in the two seconds before the flood and the two after it, so a machine busy with other
// work does not fail the test (the flood may add at most 100 ms to it).
// Variants with the frame rate lifted (20,000 frames or more each, ten times what a snapshot per
// request would need to pass 50 MB) show that the budget alone bounds memory: repeated subscribes
// cost nothing, snapshots asked for while over the budget are put off, and replies to a client over
// its budget close it (1008). There the daemon works through every frame as fast as it can, so only
// memory is asserted; /healthz is printed.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, stopDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';
import { clientTextFrame, clientTextFrames, openRawFeed, waitForRaw, type RawFeed } from '../helpers/raw-feed.ts';
import type { EventMessage, HelloMessage, SnapshotMessage } from '../../daemon/src/protocol/index.ts';
import { procNetAddress } from '../../daemon/src/http/parse-proc-net-tcp.ts';

const FRAMES = 200_000;
const LIFTED_FRAMES = 20_000;
const MB = 1024 * 1024;
const homes: string[] = [];
const daemons: SpawnedDaemon[] = [];

afterAll(async () => {
  await Promise.all(daemons.map((d) => stopDaemon(d)));
  homes.forEach((h) => rmSync(h, { recursive: true, force: true }));
});

async function daemonWith(feed: Record<string, unknown> = {}, health: Record<string, unknown> = {}): Promise<SpawnedDaemon> {
  const home = tempDir();
  homes.push(home);
  const file = path.join(home, 'config.json');
  writeFileSync(file, JSON.stringify({ log: { level: 'warn' }, feed: { systemIntervalMs: 200, ...feed }, health }));
  const d = await spawnDaemon({ home, args: ['--config', file] });
  daemons.push(d);
  return d;
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) * 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Measured {
  /** The worst /healthz of the same daemon in the two seconds before the flood and the two after it. */
  baselineMaxMs: number;
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
  healthzMaxMs: number;
  healthzCount: number;
}

/** Writes `flood` at a feed that does not read, while sampling RSS and timing /healthz, until `done`. */
async function underFlood(d: SpawnedDaemon, feed: RawFeed, flood: Buffer, done: () => Promise<unknown>): Promise<Measured> {
  const pid = d.child.pid!;
  const healthz = new URL('/healthz', d.url);
  const probe = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await fetch(healthz);
    await res.text();
    expect(res.status).toBe(200);
    return performance.now() - t0;
  };
  for (let i = 0; i < 20; i += 1) await probe();
  let baselineMaxMs = 0;
  for (const end = Date.now() + 2000; Date.now() < end; await sleep(10)) baselineMaxMs = Math.max(baselineMaxMs, await probe());
  const rssBefore = rssBytes(pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(pid))), 20);
  let measuring = true;
  const latencies: number[] = [];
  const prober = (async () => {
    while (measuring) {
      latencies.push(await probe());
      await sleep(10);
    }
  })();
  try {
    feed.socket.pause();
    await new Promise<void>((resolve) => feed.socket.write(flood, () => resolve()));
    // Only once the daemon has taken every byte from the kernel (and had a moment for the last
    // chunk) does the client read again: until then it is a client that reads nothing.
    await kernelDrained(feed.socket);
    await sleep(1000);
    feed.socket.resume();
    await done();
    await sleep(500);
  } finally {
    measuring = false;
    clearInterval(sampler);
    await prober;
  }
  // And the same again once the flood is over: a machine that was busy before or after was busy during.
  for (const end = Date.now() + 2000; Date.now() < end; await sleep(10)) baselineMaxMs = Math.max(baselineMaxMs, await probe());
  return { baselineMaxMs, rssBefore, rssPeak, rssAfter: rssBytes(pid), healthzMaxMs: Math.max(...latencies), healthzCount: latencies.length };
}

/** Resolves when the kernel holds no byte of this connection in either direction (or it is gone). */
async function kernelDrained(socket: Socket, timeoutMs = 60_000): Promise<void> {
  const client = procNetAddress('127.0.0.1', socket.localPort ?? 0, os.endianness() === 'LE');
  const server = procNetAddress('127.0.0.1', socket.remotePort ?? 0, os.endianness() === 'LE');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let waiting = 0;
    for (const line of readFileSync('/proc/net/tcp', 'latin1').split('\n')) {
      const c = line.trim().split(/\s+/);
      const [tx, rx] = (c[4] ?? '0:0').split(':').map((h) => parseInt(h, 16));
      // The client's send queue and the daemon's receive queue: flood bytes the daemon has not read.
      if (c[1] === client && c[2] === server) waiting += tx ?? 0;
      if (c[1] === server && c[2] === client) waiting += rx ?? 0;
    }
    if (waiting === 0 || socket.destroyed) return;
    if (Date.now() > deadline) throw new Error(`the daemon did not read the flood within ${timeoutMs} ms (${waiting} bytes left)`);
    await sleep(50);
  }
}

/** Resolves once the feed has received nothing new for a second. */
async function quiet(feed: RawFeed, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  while (feed.received().length !== seen) {
    if (Date.now() > deadline) throw new Error('the feed kept receiving');
    seen = feed.received().length;
    await sleep(1000);
  }
}

function report(name: string, m: Measured): void {
  const mb = (b: number) => (b / MB).toFixed(1);
  const rss = `RSS ${mb(m.rssBefore)} MB -> peak ${mb(m.rssPeak)} MB (growth ${mb(m.rssPeak - m.rssBefore)} MB), after ${mb(m.rssAfter)} MB`;
  const healthz = `/healthz max ${m.healthzMaxMs.toFixed(1)} ms over ${m.healthzCount} calls (${m.baselineMaxMs.toFixed(1)} ms at rest before and after)`;
  console.log(`${name}: ${rss}; ${healthz}`);
}

function expectMemoryFlat(m: Measured): void {
  expect(m.rssPeak - m.rssBefore).toBeLessThan(50 * MB);
  expect(m.rssAfter - m.rssBefore).toBeLessThan(50 * MB);
}

function expectFlat(m: Measured): void {
  expectMemoryFlat(m);
  expect(m.healthzCount).toBeGreaterThan(5);
  expect(m.healthzMaxMs).toBeLessThan(100 + m.baselineMaxMs);
}

const frames = clientTextFrames;

/** Feed clients the daemon holds, as its `system` topic counts them (seen by an observer on the kiosk port). */
async function feedClients(observer: TestFeedClient): Promise<number> {
  const from = observer.messages.length;
  const tick = await observer.waitFor<EventMessage<'system'>>((m) => m.type === 'event', { from, timeoutMs: 5000 });
  return tick.event.clients;
}

async function observe(d: SpawnedDaemon): Promise<TestFeedClient> {
  const observer = await TestFeedClient.open(d.kioskUrl!);
  observer.send({ type: 'subscribe', topic: 'system' });
  await observer.waitFor((m) => m.type === 'snapshot');
  return observer;
}

async function expectClientsBackTo(observer: TestFeedClient, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await feedClients(observer)) !== count) if (Date.now() > deadline) throw new Error(`the daemon still holds more than ${count} feed clients`);
}

describe('a feed client that floods subscribes and reads nothing, on the kiosk port with no login', () => {
  it('is closed at its frame rate; memory stays flat and /healthz stays fast', async () => {
    const d = await daemonWith();
    const observer = await observe(d);
    const feed = await openRawFeed(d.kioskPort!);
    feed.socket.write(clientTextFrame(JSON.stringify({ type: 'subscribe', topic: 'health' })));
    await waitForRaw(feed, (ms) => ms.some((m) => (m as SnapshotMessage).type === 'snapshot'), 'the health snapshot');
    const flood = frames(FRAMES, () => JSON.stringify({ type: 'subscribe', topic: 'health' }));
    const m = await underFlood(d, feed, flood, () => feed.closed);
    report('default limits', m);
    expectFlat(m);
    // Whatever reached the client: one snapshot, never one per request.
    expect(feed.messages().filter((x) => (x as SnapshotMessage).type === 'snapshot')).toHaveLength(1);
    expect([1008, null]).toContain(feed.closeCode());
    await expectClientsBackTo(observer, 1);
    observer.close();
  }, 90_000);

  describe('with the frame rate lifted, the budget alone', () => {
    let d: SpawnedDaemon;
    let observer: TestFeedClient;
    // The raw client never answers pings; a long heartbeat keeps it from being cut for that instead.
    // Health samples once a minute, so a client that has caught up sees the feed fall quiet.
    const limits = { clientFramesPerSecond: 1_000_000, clientFrameBurst: 1_000_000, heartbeatMs: 300_000 };
    const health = { fastMs: 60_000, mediumMs: 60_000, slowMs: 60_000 };

    beforeAll(async () => {
      d = await daemonWith(limits, health);
      observer = await observe(d);
    });
    afterAll(() => observer?.close());

    it('answers repeated subscribes with nothing: one snapshot for 20,000 requests', async () => {
      const feed = await openRawFeed(d.kioskPort!);
      feed.socket.write(clientTextFrame(JSON.stringify({ type: 'subscribe', topic: 'health' })));
      await waitForRaw(feed, (ms) => ms.some((m) => (m as SnapshotMessage).type === 'snapshot'), 'the health snapshot');
      const m = await underFlood(d, feed, frames(LIFTED_FRAMES, () => JSON.stringify({ type: 'subscribe', topic: 'health' })), async () => {
        feed.socket.write(clientTextFrame(JSON.stringify({ type: 'subscribe', topic: 'end-of-flood' })));
        await waitForRaw(feed, (ms) => ms.some((x) => (x as { topic?: string }).topic === 'end-of-flood'), 'the answer to the last frame', 30_000);
      });
      report('repeated subscribes', m);
      expectMemoryFlat(m);
      expect(feed.messages().filter((x) => (x as SnapshotMessage).type === 'snapshot')).toHaveLength(1);
      feed.socket.destroy();
      await expectClientsBackTo(observer, 1);
    }, 90_000);

    it('puts off the snapshots a non-reading client asks for by resuming, and sends one when it drains', async () => {
      const feed = await openRawFeed(d.kioskPort!);
      await waitForRaw(feed, (ms) => ms.length > 0, 'hello');
      const epoch = (feed.messages()[0] as HelloMessage).epoch;
      const asking = frames(LIFTED_FRAMES, () => JSON.stringify({ type: 'subscribe', topic: 'health', resume: { epoch, seq: 0 } }));
      const m = await underFlood(d, feed, asking, async () => {
        // Read what was sent until nothing more comes (the put-off snapshot last): a question asked
        // before the client has caught up would be one more reply over the budget.
        await quiet(feed);
        feed.socket.write(clientTextFrame(JSON.stringify({ type: 'subscribe', topic: 'end-of-flood' })));
        await waitForRaw(feed, (ms) => ms.some((x) => (x as { topic?: string }).topic === 'end-of-flood'), 'the answer to the last frame', 30_000);
      });
      report('resume flood', m);
      expectMemoryFlat(m);
      // What reached the client is bounded by the kernel's buffers and the budget, not by the requests.
      expect(feed.received().length).toBeLessThan(32 * MB);
      expect(feed.closeCode()).toBeNull();
      feed.socket.destroy();
      await expectClientsBackTo(observer, 1);
    }, 90_000);

    it('closes (1008) a client over its budget that keeps asking for error replies', async () => {
      const feed = await openRawFeed(d.kioskPort!);
      const unknown = frames(LIFTED_FRAMES * 5, (i) => JSON.stringify({ type: 'subscribe', topic: `no-such-topic-${i}` }));
      const m = await underFlood(d, feed, unknown, () => feed.closed);
      report('error-reply flood', m);
      expectMemoryFlat(m);
      expect([1008, null]).toContain(feed.closeCode());
      await expectClientsBackTo(observer, 1);
    }, 90_000);
  });
});
