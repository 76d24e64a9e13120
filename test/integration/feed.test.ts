import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';
import { userSession, type TestSession } from '../helpers/auth.ts';
import type { EventMessage, HelloMessage, ServerMessage, SnapshotMessage } from '../../daemon/src/protocol/index.ts';

let daemon: TestDaemon;
let viewer: TestSession;
const clients: TestFeedClient[] = [];
async function open(options?: WebSocket.ClientOptions): Promise<TestFeedClient> {
  const client = await TestFeedClient.open(daemon.url, { ...viewer.feed(), ...options });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  // Heartbeats every 2 s, so the dead-peer test is quick (the slow-client test has its own daemon).
  daemon = await startTestDaemon({ feed: { systemIntervalMs: 50, heartbeatMs: 2000, sendBufferBytes: 16 * 1024, replayEvents: 64 } });
  viewer = await userSession(daemon.home, daemon.url, 'vera', 'viewer');
});
afterEach(() => clients.splice(0).forEach((c) => c.close()));
afterAll(() => daemon.stop());

const isEvent = (m: ServerMessage): m is EventMessage => m.type === 'event';

/**
 * A real full collection, also when vitest's worker was started without --expose-gc: without one,
 * the ~200 MB of encoding garbage may still sit in the heap when it is measured on a busy machine.
 */
async function fullGc(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  await new Promise((r) => setImmediate(r));
  gc();
  gc();
}

describe('feed', () => {
  it('greets with the protocol, the epoch and the topics', async () => {
    const client = await open();
    const hello = client.messages[0] as HelloMessage;
    expect(hello).toMatchObject({ type: 'hello', protocol: 'outpost.feed.v1', epoch: daemon.hub.epoch, heartbeatMs: 2000 });
    expect(hello.topics).toContain('system');
  });

  it('sends a snapshot of the system topic, then events with consecutive sequence numbers', async () => {
    const client = await open();
    client.send({ type: 'subscribe', topic: 'system' });
    const snapshot = await client.waitFor<SnapshotMessage<'system'>>((m) => m.type === 'snapshot');
    expect(snapshot.state).toMatchObject({ version: expect.any(String), clients: expect.any(Number) });
    await client.waitFor((m) => isEvent(m) && m.seq >= snapshot.seq + 3);
    const seqs = client.messages.filter(isEvent).map((m) => m.seq);
    expect(seqs[0]).toBe(snapshot.seq + 1);
    seqs.forEach((seq, i) => expect(seq).toBe(snapshot.seq + 1 + i));
    expect(client.binaryFrames).toBe(0);
    const last = client.messages.filter(isEvent).at(-1) as EventMessage<'system'>;
    expect(last.event.clients).toBeGreaterThanOrEqual(1);
  });

  it('resumes after a gap with exactly the missed events', async () => {
    const first = await open();
    first.send({ type: 'subscribe', topic: 'system' });
    const snapshot = await first.waitFor<SnapshotMessage>((m) => m.type === 'snapshot');
    const seen = await first.waitFor<EventMessage>((m) => isEvent(m) && m.seq >= snapshot.seq + 2);
    first.close();
    await new Promise((r) => setTimeout(r, 300));

    const second = await open();
    second.send({ type: 'subscribe', topic: 'system', resume: { epoch: snapshot.epoch, seq: seen.seq } });
    const resumed = await second.waitFor((m) => m.type === 'resumed');
    expect(resumed).toMatchObject({ topic: 'system', seq: seen.seq });
    const missed = (resumed as { missed: number }).missed;
    expect(missed).toBeGreaterThanOrEqual(3);
    await second.waitFor((m) => isEvent(m) && m.seq >= seen.seq + missed + 2);
    const seqs = second.messages.filter(isEvent).map((m) => m.seq);
    seqs.forEach((seq, i) => expect(seq).toBe(seen.seq + 1 + i));
    expect(second.messages.some((m) => m.type === 'snapshot')).toBe(false);
  });

  it('sends a fresh snapshot when the gap is longer than the events it keeps', async () => {
    const client = await open();
    const topic = daemon.hub.get('system');
    const oldSeq = topic!.seq;
    for (let i = 0; i < 100; i += 1) topic!.publish({ kind: 'system.tick.v1', uptimeS: 1, clients: 1, serverTime: Date.now() });
    client.send({ type: 'subscribe', topic: 'system', resume: { epoch: daemon.hub.epoch, seq: oldSeq } });
    const snapshot = await client.waitFor<SnapshotMessage>((m) => m.type === 'snapshot');
    expect(snapshot.seq).toBeGreaterThanOrEqual(oldSeq + 100);
  });

  it('answers bad frames with an error and closes a socket that sends more than the size cap', async () => {
    const client = await open();
    client.send({ type: 'subscribe', topic: 'no-such-topic' });
    const error = await client.waitFor((m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'feed_unknown_topic', topic: 'no-such-topic' });
    client.socket.send('x'.repeat(70 * 1024));
    const closed = await client.waitClosed();
    expect(closed.code).toBe(1009);
  });

  it('terminates a peer that stops answering heartbeats', async () => {
    const client = await open({ autoPong: false });
    const closed = await client.waitClosed(6000);
    expect(closed.code).toBe(1006);
  });

  it('does not grow memory for a client that stops reading, and sends it one snapshot when it drains', async () => {
    // Its own daemon with heartbeats far apart: a client that reads nothing answers no ping, and on a
    // loaded machine publishing ~200 MB takes longer than the shared daemon's heartbeat allows.
    const own = await startTestDaemon({ feed: { systemIntervalMs: 50, heartbeatMs: 120_000, sendBufferBytes: 16 * 1024, replayEvents: 64 } });
    const session = await userSession(own.home, own.url, 'sam', 'viewer');
    const slow = await TestFeedClient.open(own.url, session.feed());
    clients.push(slow);
    const daemon = own;
    try {
      slow.send({ type: 'subscribe', topic: 'system' });
      await slow.waitFor((m) => m.type === 'snapshot');
      const tcp = (slow.socket as unknown as { _socket: Socket })._socket;
      tcp.pause();
      const topic = daemon.hub.get('system')!;
      const padding = 'x'.repeat(4096);
      const dropsBefore = daemon.hub.counters.eventsDropped;
      const drainBefore = daemon.hub.counters.drainSnapshots;
      await fullGc();
      const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().external;
      // ~200 MB of events at a client that reads nothing. The bytes queued for any client never pass
      // its budget (16 KiB here) plus one event.
      let maxQueued = 0;
      for (let round = 0; round < 50; round += 1) {
        for (let i = 0; i < 1000; i += 1) topic.publish({ kind: 'system.tick.v1', uptimeS: 1, clients: 1, serverTime: Date.now(), padding } as never);
        for (const stats of daemon.feedClientStats()) maxQueued = Math.max(maxQueued, stats.bufferedAmount);
        await new Promise((r) => setImmediate(r));
      }
      await fullGc();
      const heapAfter = process.memoryUsage().heapUsed + process.memoryUsage().external;
      expect(daemon.hub.counters.eventsDropped - dropsBefore).toBeGreaterThan(40_000);
      expect(maxQueued).toBeGreaterThan(0);
      expect(maxQueued).toBeLessThanOrEqual(16 * 1024 + 5000);
      // Without the budget the 200 MB would sit in the heap; garbage from encoding may linger a little.
      expect(heapAfter - heapBefore).toBeLessThan(64 * 1024 * 1024);

      const from = slow.messages.length;
      tcp.resume();
      const snapshot = await slow.waitFor<SnapshotMessage>((m) => m.type === 'snapshot', { from, timeoutMs: 10_000 });
      expect(snapshot.seq).toBeGreaterThanOrEqual(topic.seq - 5);
      expect(daemon.hub.counters.drainSnapshots - drainBefore).toBe(1);
      await slow.waitFor((m) => isEvent(m) && m.seq > snapshot.seq, { from, timeoutMs: 5000 });
    } finally {
      slow.close();
      await own.stop();
    }
  }, 60_000);
});
