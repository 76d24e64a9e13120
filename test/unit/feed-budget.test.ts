// The per-connection budget, idempotent subscribes, the frame rate and the stream caps, with a fake
// socket whose queue the test sets.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FeedConnection, FeedHub, type FeedSocket } from '../../daemon/src/feed/index.ts';
import { FrameRate } from '../../daemon/src/feed/frame-rate.ts';
import { reduceSystem, type ServerMessage, type SystemState } from '../../daemon/src/protocol/index.ts';

class FakeSocket implements FeedSocket {
  bufferedAmount = 0;
  sent: ServerMessage[] = [];
  bytes = 0;
  pongs = 0;
  send(data: Buffer | string): void {
    this.bytes += Buffer.byteLength(data);
    this.sent.push(JSON.parse(data.toString()) as ServerMessage);
  }
  pong(): void {
    this.pongs += 1;
  }
}

const initial: SystemState = { version: '1.0.0', startedAt: 0, uptimeS: 0, clients: 0, serverTime: 0 };
const tick = (n: number) => ({ kind: 'system.tick.v1' as const, uptimeS: n, clients: 0, serverTime: n });
const types = (socket: FakeSocket) => socket.sent.map((m) => (m.type === 'error' ? `error:${m.code}` : m.type));

function setup(options: { framesPerSecond?: number; frameBurst?: number; budget?: number } = {}) {
  let now = 0;
  const hub = new FeedHub({ replayEvents: 16, epoch: 'e1' });
  const topic = hub.define({ name: 'system', initial, reduce: reduceSystem, policy: 'viewer' });
  const socket = new FakeSocket();
  const violations: { code: number; reason: string }[] = [];
  const connection = new FeedConnection(socket, hub, {
    sendBufferBytes: options.budget ?? 1000,
    maxSubscriptions: 4,
    drainCheckMs: 10,
    framesPerSecond: options.framesPerSecond ?? 1_000_000,
    frameBurst: options.frameBurst ?? 1_000_000,
    onViolation: (close) => violations.push(close),
    now: () => now,
  });
  return { hub, topic, socket, connection, violations, advance: (ms: number) => (now += ms) };
}

const subscribe = (topic: string, resume?: object) => JSON.stringify(resume ? { type: 'subscribe', topic, resume } : { type: 'subscribe', topic });

afterEach(() => vi.useRealTimers());

describe('repeated subscribes', () => {
  it('answers a second subscribe for a held topic with nothing at all', () => {
    const { socket, connection, hub } = setup();
    for (let i = 0; i < 1000; i += 1) connection.receive(subscribe('system'));
    expect(types(socket)).toEqual(['snapshot']);
    expect(hub.counters.snapshots).toBe(1);
  });

  it('answers a repeat that carries resume like a new subscription: the missed events, or one snapshot', () => {
    const { socket, connection, topic } = setup();
    connection.receive(subscribe('system'));
    for (let i = 1; i <= 3; i += 1) topic.publish(tick(i));
    connection.receive(subscribe('system', { epoch: 'e1', seq: 1 }));
    expect(types(socket)).toEqual(['snapshot', 'event', 'event', 'event', 'resumed', 'event', 'event']);
    connection.receive(subscribe('system', { epoch: 'another-process', seq: 1 }));
    expect(types(socket).at(-1)).toBe('snapshot');
  });
});

describe('send budget', () => {
  it('puts off a snapshot while the client is over its budget and sends exactly one when it drains', () => {
    vi.useFakeTimers();
    const { socket, connection, hub } = setup();
    socket.bufferedAmount = 5000;
    connection.receive(subscribe('system'));
    for (let i = 0; i < 500; i += 1) connection.receive(subscribe('system', { epoch: 'e1', seq: 0 }));
    expect(socket.sent).toEqual([]);
    expect(hub.counters.snapshotsDeferred).toBe(1);
    socket.bufferedAmount = 0;
    vi.advanceTimersByTime(20);
    expect(types(socket)).toEqual(['snapshot']);
    connection.close();
  });

  it('sends resume replays only when they fit the budget, else a snapshot', () => {
    const { socket, connection, topic } = setup({ budget: 400 });
    for (let i = 1; i <= 10; i += 1) topic.publish(tick(i));
    connection.receive(subscribe('system', { epoch: 'e1', seq: 0 }));
    expect(types(socket)).toEqual(['snapshot']);
  });

  it('closes (1008) a client over its budget that still asks for replies, and writes nothing more', () => {
    const { socket, connection, violations, hub } = setup();
    connection.receive(subscribe('system'));
    socket.bufferedAmount = 5000;
    const sent = socket.sent.length;
    for (let i = 0; i < 1000; i += 1) connection.receive(subscribe('no-such-topic'));
    expect(violations).toEqual([{ code: 1008, reason: 'send budget exceeded' }]);
    expect(socket.sent.length).toBe(sent);
    expect(connection.isClosed).toBe(true);
    expect(hub.counters.closedOverBudget).toBe(1);
  });

  it('counts error replies, unsubscribe answers and pongs against the budget', () => {
    for (const frame of [subscribe('nope'), JSON.stringify({ type: 'unsubscribe', topic: 'system' }), 'not json']) {
      const { socket, connection, violations } = setup();
      socket.bufferedAmount = 1001;
      connection.receive(frame);
      expect(violations, frame).toHaveLength(1);
      expect(socket.sent, frame).toEqual([]);
    }
    const { socket, connection, violations } = setup();
    connection.receivePing(Buffer.from('hi'));
    expect(socket.pongs).toBe(1);
    socket.bufferedAmount = 1001;
    connection.receivePing(Buffer.from('hi'));
    expect(socket.pongs).toBe(1);
    expect(violations).toHaveLength(1);
  });

  it('skips heartbeats while over the budget without closing', () => {
    const { socket, connection, violations } = setup();
    socket.bufferedAmount = 1001;
    connection.sendIfRoom({ type: 'heartbeat', time: 1 });
    expect(socket.sent).toEqual([]);
    expect(violations).toEqual([]);
  });
});

describe('frame rate', () => {
  it('lets a burst through, then the sustained rate, and closes (1008) a client above it', () => {
    const { connection, violations, advance, hub } = setup({ framesPerSecond: 10, frameBurst: 20 });
    for (let i = 0; i < 20; i += 1) connection.receive(subscribe('system'));
    expect(violations).toEqual([]);
    advance(1000);
    for (let i = 0; i < 10; i += 1) connection.receive(subscribe('system'));
    expect(violations).toEqual([]);
    connection.receive(subscribe('system'));
    expect(violations).toEqual([{ code: 1008, reason: 'too many messages' }]);
    expect(hub.counters.closedTooManyMessages).toBe(1);
    connection.receive(subscribe('system'));
    expect(violations).toHaveLength(1);
  });

  it('counts pings and pongs as frames', () => {
    const { connection, violations } = setup({ framesPerSecond: 1, frameBurst: 10 });
    for (let i = 0; i < 5; i += 1) connection.receivePing(Buffer.alloc(0));
    for (let i = 0; i < 5; i += 1) connection.receivePong();
    expect(violations).toEqual([]);
    connection.receivePong();
    expect(violations).toHaveLength(1);
  });

  it('refills at the sustained rate and never above the burst', () => {
    const rate = new FrameRate(2, 3, 0);
    expect([rate.take(0), rate.take(0), rate.take(0), rate.take(0)]).toEqual([true, true, true, false]);
    expect(rate.take(500)).toBe(true);
    expect(rate.take(500)).toBe(false);
    expect([rate.take(100_000), rate.take(100_000), rate.take(100_000), rate.take(100_000)]).toEqual([true, true, true, false]);
  });
});

describe('stream caps', () => {
  function streams(limits: { device: number; perConnection: number; perOwner: number }) {
    const caps = { maxDynamicTopics: limits.device, streamsPerConnection: limits.perConnection, streamsPerOwner: limits.perOwner };
    const hub = new FeedHub({ replayEvents: 4, epoch: 'e', ...caps });
    const running = new Set<string>();
    hub.defineDynamic({
      prefix: 'count:',
      policy: 'viewer',
      create: (name) =>
        name === 'count:gone'
          ? { refused: 'feed_log_target_not_found', message: 'count:gone does not exist' }
          : { initial: 0, reduce: (s) => s, start: () => (running.add(name), () => running.delete(name)) },
    });
    const open = (owner?: string) => {
      const socket = new FakeSocket();
      const connection = new FeedConnection(socket, hub, { sendBufferBytes: 1e6, maxSubscriptions: 100, owner, framesPerSecond: 1e6, frameBurst: 1e6 });
      return { socket, connection };
    };
    return { hub, running, open };
  }
  const codes = (socket: FakeSocket) => socket.sent.filter((m) => m.type === 'error').map((m) => (m.type === 'error' ? m.code : ''));

  it('refuses a name that matches nothing with its own code and starts nothing', () => {
    const { hub, running, open } = streams({ device: 64, perConnection: 8, perOwner: 16 });
    const { socket, connection } = open('session-a');
    connection.subscribe('count:gone');
    expect(codes(socket)).toEqual(['feed_log_target_not_found']);
    expect(running.size).toBe(0);
    expect(hub.streamsOf('session-a')).toBe(0);
  });

  it('caps streams per connection, per owner across connections, and per device, each below the next', () => {
    const { hub, running, open } = streams({ device: 6, perConnection: 2, perOwner: 3 });
    const a1 = open('a');
    const a2 = open('a');
    ['count:a', 'count:b', 'count:c'].forEach((t) => a1.connection.subscribe(t));
    expect(codes(a1.socket)).toEqual(['feed_too_many_streams']);
    a2.connection.subscribe('count:d');
    a2.connection.subscribe('count:e');
    expect(codes(a2.socket)).toEqual(['feed_too_many_streams']);
    expect(hub.streamsOf('a')).toBe(3);
    const others = [open('b'), open('c')];
    ['count:f', 'count:g'].forEach((t) => others[0]!.connection.subscribe(t));
    ['count:h', 'count:i'].forEach((t) => others[1]!.connection.subscribe(t));
    expect(running.size).toBe(6);
    expect(codes(others[1]!.socket)).toEqual(['feed_too_many_streams']);
    // Leaving gives every slot back and stops the upstream work.
    for (const c of [a1, a2, ...others]) c.connection.close();
    expect(running.size).toBe(0);
    expect(hub.dynamicTopicCount).toBe(0);
    expect([hub.streamsOf('a'), hub.streamsOf('b'), hub.streamsOf('c')]).toEqual([0, 0, 0]);
  });

  it('gives a slot back on unsubscribe and when a refused subscribe is retried', () => {
    const { hub, open } = streams({ device: 64, perConnection: 1, perOwner: 1 });
    const { socket, connection } = open('a');
    connection.subscribe('count:gone');
    connection.subscribe('count:x');
    connection.unsubscribe('count:x');
    connection.subscribe('count:y');
    expect(codes(socket)).toEqual(['feed_log_target_not_found']);
    expect(hub.streamsOf('a')).toBe(1);
  });
});
