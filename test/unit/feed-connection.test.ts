import { afterEach, describe, expect, it, vi } from 'vitest';
import { FeedConnection, FeedHub, type FeedSocket } from '../../daemon/src/feed/index.ts';
import { reduceSystem, type ServerMessage, type SystemState } from '../../daemon/src/protocol/index.ts';

class FakeSocket implements FeedSocket {
  bufferedAmount = 0;
  sent: ServerMessage[] = [];
  send(data: Buffer | string): void {
    this.sent.push(JSON.parse(data.toString()) as ServerMessage);
  }
}

const initial: SystemState = { version: '1.0.0', startedAt: 0, uptimeS: 0, clients: 0, serverTime: 0 };
const tick = (n: number) => ({ kind: 'system.tick.v1' as const, uptimeS: n, clients: 0, serverTime: n });

function setup(options: { sendBufferBytes?: number; maxSubscriptions?: number; replay?: number } = {}) {
  const hub = new FeedHub({ replayEvents: options.replay ?? 16, epoch: 'epoch-1' });
  const topic = hub.define({ name: 'system', initial, reduce: reduceSystem, policy: 'viewer' });
  const socket = new FakeSocket();
  const connection = new FeedConnection(socket, hub, {
    sendBufferBytes: options.sendBufferBytes ?? 1000,
    maxSubscriptions: options.maxSubscriptions ?? 4,
    drainCheckMs: 10,
  });
  return { hub, topic, socket, connection };
}

afterEach(() => vi.useRealTimers());

describe('feed connection', () => {
  it('answers a subscribe with a snapshot, then forwards sequenced events', () => {
    const { topic, socket, connection } = setup();
    topic.publish(tick(1));
    connection.receive(JSON.stringify({ type: 'subscribe', topic: 'system' }));
    topic.publish(tick(2));
    topic.publish(tick(3));
    expect(socket.sent.map((m) => m.type)).toEqual(['snapshot', 'event', 'event']);
    expect(socket.sent[0]).toMatchObject({ type: 'snapshot', epoch: 'epoch-1', seq: 1, state: { uptimeS: 1 } });
    expect(socket.sent.slice(1).map((m) => (m.type === 'event' ? m.seq : -1))).toEqual([2, 3]);
  });

  it('resumes from a sequence with the missed events, in order, without a snapshot', () => {
    const { topic, socket, connection } = setup();
    for (let i = 1; i <= 6; i += 1) topic.publish(tick(i));
    connection.subscribe('system', { epoch: 'epoch-1', seq: 3 });
    expect(socket.sent[0]).toEqual({ type: 'resumed', topic: 'system', seq: 3, missed: 3 });
    expect(socket.sent.slice(1).map((m) => (m.type === 'event' ? m.seq : -1))).toEqual([4, 5, 6]);
  });

  it('sends a fresh snapshot when the missed events are gone or the epoch is another process', () => {
    const { topic, socket, connection } = setup({ replay: 2 });
    for (let i = 1; i <= 6; i += 1) topic.publish(tick(i));
    connection.subscribe('system', { epoch: 'epoch-1', seq: 1 });
    connection.subscribe('system', { epoch: 'old-process', seq: 5 });
    expect(socket.sent.map((m) => m.type)).toEqual(['snapshot', 'snapshot']);
  });

  it('refuses unknown topics, bad messages and too many subscriptions with stable codes', () => {
    const { hub, socket, connection } = setup({ maxSubscriptions: 1 });
    hub.define({ name: 'other', initial: 0, reduce: (s: number) => s + 1, policy: 'viewer' });
    connection.receive('not json');
    connection.receive(JSON.stringify({ type: 'subscribe', topic: 'system', extra: true }));
    connection.receive(JSON.stringify({ type: 'subscribe', topic: 'nope' }));
    connection.receive(JSON.stringify({ type: 'subscribe', topic: 'system' }));
    connection.receive(JSON.stringify({ type: 'subscribe', topic: 'other' }));
    const errors = socket.sent.filter((m) => m.type === 'error').map((m) => (m.type === 'error' ? m.code : ''));
    expect(errors).toEqual(['feed_bad_message', 'feed_bad_message', 'feed_unknown_topic', 'feed_too_many_subscriptions']);
  });

  it('hides topics the client may not access as if they did not exist', () => {
    const hub = new FeedHub({ replayEvents: 4 });
    hub.define({ name: 'audit', initial: 0, reduce: (s: number) => s, policy: 'admin' });
    const socket = new FakeSocket();
    const connection = new FeedConnection(socket, hub, { sendBufferBytes: 1000, maxSubscriptions: 4, mayAccess: (t) => t !== 'audit' });
    connection.subscribe('audit');
    expect(socket.sent).toEqual([{ type: 'error', code: 'feed_unknown_topic', message: 'no topic named audit', topic: 'audit' }]);
  });

  it('drops events for a client over its send budget, then sends exactly one snapshot once it drains', () => {
    vi.useFakeTimers();
    const { hub, topic, socket, connection } = setup({ sendBufferBytes: 1000 });
    connection.subscribe('system');
    socket.bufferedAmount = 5000;
    for (let i = 1; i <= 50; i += 1) topic.publish(tick(i));
    expect(socket.sent.map((m) => m.type)).toEqual(['snapshot']);
    expect(connection.dropped).toBe(50);
    vi.advanceTimersByTime(50);
    expect(socket.sent).toHaveLength(1);
    socket.bufferedAmount = 100;
    vi.advanceTimersByTime(20);
    expect(socket.sent.map((m) => m.type)).toEqual(['snapshot', 'snapshot']);
    expect(socket.sent[1]).toMatchObject({ seq: 50, state: { uptimeS: 50 } });
    expect(hub.counters.drainSnapshots).toBe(1);
    topic.publish(tick(51));
    expect(socket.sent[2]).toMatchObject({ type: 'event', seq: 51 });
    connection.close();
  });

  it('stops receiving events after unsubscribe and after close', () => {
    const { topic, socket, connection } = setup();
    connection.subscribe('system');
    connection.unsubscribe('system');
    topic.publish(tick(1));
    connection.subscribe('system');
    connection.close();
    topic.publish(tick(2));
    expect(socket.sent.map((m) => m.type)).toEqual(['snapshot', 'unsubscribed', 'snapshot']);
    expect(topic.subscriberCount).toBe(0);
  });
});

describe('dynamic topics', () => {
  function dynamicSetup() {
    const hub = new FeedHub({ replayEvents: 8, epoch: 'e' });
    const started: string[] = [];
    const stopped: string[] = [];
    const publishers = new Map<string, (n: number) => void>();
    hub.defineDynamic({
      prefix: 'count:',
      policy: 'viewer',
      create: (name) =>
        /^count:[a-z]+$/.test(name)
          ? {
              initial: 0,
              reduce: (s, e) => (s as number) + (e as number),
              start: (topic) => {
                started.push(name);
                publishers.set(name, (n) => topic.publish(n));
                return () => stopped.push(name);
              },
            }
          : null,
    });
    const socket = new FakeSocket();
    const connection = new FeedConnection(socket, hub, { sendBufferBytes: 1000, maxSubscriptions: 4 });
    return { hub, socket, connection, started, stopped, publishers };
  }

  it('creates a topic on the first subscribe and stops it when the last subscriber leaves', () => {
    const { hub, socket, connection, started, stopped, publishers } = dynamicSetup();
    connection.subscribe('count:apples');
    publishers.get('count:apples')?.(5);
    expect(socket.sent.map((m) => m.type)).toEqual(['snapshot', 'event']);
    expect(started).toEqual(['count:apples']);
    expect(hub.dynamicTopicCount).toBe(1);
    connection.unsubscribe('count:apples');
    expect(stopped).toEqual(['count:apples']);
    expect(hub.dynamicTopicCount).toBe(0);
  });

  it('refuses malformed names without creating anything', () => {
    const { hub, socket, connection, started } = dynamicSetup();
    connection.subscribe('count:NOT/valid');
    connection.subscribe('other:x');
    expect(socket.sent.map((m) => (m.type === 'error' ? m.code : m.type))).toEqual(['feed_unknown_topic', 'feed_unknown_topic']);
    expect(started).toEqual([]);
    expect(hub.dynamicTopicCount).toBe(0);
  });

  it('stops the topic when the subscriber’s connection closes', () => {
    const { hub, connection, stopped } = dynamicSetup();
    connection.subscribe('count:pears');
    connection.close();
    expect(stopped).toEqual(['count:pears']);
    expect(hub.dynamicTopicCount).toBe(0);
  });
});
