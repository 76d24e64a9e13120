import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FeedClient, type SocketLike } from './feed-client.svelte.ts';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
import type { ServerMessage } from '@protocol';

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason } as CloseEvent);
  }
  open() {
    this.readyState = 1;
  }
  deliver(message: ServerMessage) {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }
  drop(reason = '') {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason } as CloseEvent);
  }
}

const hello = (epoch = 'e1'): ServerMessage => ({ type: 'hello', protocol: 'outpost.feed.v1', epoch, version: '1.2.3', heartbeatMs: 1000, maxMessageBytes: 65536, topics: ['system'] });
const state = { version: '1.2.3', startedAt: 0, uptimeS: 10, clients: 1, serverTime: 0 };
const tick = (seq: number): ServerMessage => ({ type: 'event', topic: 'system', seq, event: { kind: 'system.tick.v1', uptimeS: seq, clients: 1, serverTime: seq } });

let now = 0;
function makeClient() {
  return new FeedClient({ url: 'ws://device/api/v1/feed', createSocket: (url) => new FakeSocket(url), now: () => now, offlineAfterMs: 5000, backoff: { baseMs: 100, maxMs: 1000, jitter: 0 } });
}
function last(): FakeSocket {
  const socket = FakeSocket.all.at(-1);
  if (!socket) throw new Error('no socket');
  return socket;
}

beforeEach(() => {
  FakeSocket.all = [];
  now = 0;
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('FeedClient', () => {
  it('goes live on hello and subscribes to the topics asked for before it connected', () => {
    const client = makeClient();
    const system = client.topic('system');
    const stop = client.listen();
    expect(client.status).toBe('connecting');
    last().open();
    last().deliver(hello());
    expect(client.status).toBe('live');
    expect(client.serverVersion).toBe('1.2.3');
    expect(last().sent).toEqual([{ type: 'subscribe', topic: 'system' }]);
    last().deliver({ type: 'snapshot', topic: 'system', epoch: 'e1', seq: 4, state });
    last().deliver(tick(5));
    expect(system.state?.uptimeS).toBe(5);
    expect(system.seq).toBe(5);
    stop();
  });

  it('asks once to resume from its last sequence when an event skips a sequence number', () => {
    const client = makeClient();
    const system = client.topic('system');
    client.listen();
    last().open();
    last().deliver(hello());
    last().deliver({ type: 'snapshot', topic: 'system', epoch: 'e1', seq: 4, state });
    const sent = last().sent.length;
    last().deliver(tick(7));
    last().deliver(tick(8));
    expect(system.seq).toBe(4);
    expect(last().sent.slice(sent)).toEqual([{ type: 'subscribe', topic: 'system', resume: { epoch: 'e1', seq: 4 } }]);
    // Answered: a later gap asks again.
    last().deliver({ type: 'resumed', topic: 'system', seq: 4, missed: 4 });
    for (const n of [5, 6, 7, 8]) last().deliver(tick(n));
    expect(system.seq).toBe(8);
    last().deliver(tick(11));
    expect(last().sent.slice(sent)).toHaveLength(2);
  });

  it('reconnects with backoff after the socket drops and resumes from its last sequence', () => {
    const client = makeClient();
    const system = client.topic('system');
    client.listen();
    last().open();
    last().deliver(hello());
    last().deliver({ type: 'snapshot', topic: 'system', epoch: 'e1', seq: 4, state });
    last().deliver(tick(5));
    last().drop();
    expect(client.status).toBe('reconnecting');
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(FakeSocket.all).toHaveLength(2);
    last().open();
    last().deliver(hello());
    expect(client.status).toBe('live');
    expect(client.reconnects).toBe(1);
    expect(last().sent).toEqual([{ type: 'subscribe', topic: 'system', resume: { epoch: 'e1', seq: 5 } }]);
    last().deliver({ type: 'resumed', topic: 'system', seq: 5, missed: 1 });
    last().deliver(tick(6));
    expect(system.state?.uptimeS).toBe(6);
  });

  it('calls itself offline after failing for longer than the offline threshold, and keeps trying', () => {
    const client = makeClient();
    client.listen();
    for (let i = 0; i < 8; i += 1) {
      last().drop();
      now += 1000;
      vi.advanceTimersByTime(1000);
    }
    expect(client.status).toBe('offline');
    expect(FakeSocket.all.length).toBeGreaterThanOrEqual(8);
    last().open();
    last().deliver(hello());
    expect(client.status).toBe('live');
  });

  it('treats a silent server as lost after two and a half heartbeats', () => {
    const client = makeClient();
    client.listen();
    last().open();
    last().deliver(hello());
    vi.advanceTimersByTime(2400);
    expect(client.status).toBe('live');
    vi.advanceTimersByTime(200);
    expect(client.status).toBe('reconnecting');
  });

  it('keeps the reason the server gave when it closed the socket', () => {
    const client = makeClient();
    client.listen();
    last().open();
    last().deliver(hello());
    last().onclose?.({ code: 4001, reason: 'session ended' } as CloseEvent);
    expect(client.closeReason).toBe('session ended');
  });

  it('stops retrying once its cleanup has run', () => {
    const client = makeClient();
    const stop = client.listen();
    stop();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base up to the cap', () => {
    const options = { baseMs: 500, maxMs: 15_000, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, options))).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
  });

  it('spreads delays by at most the jitter fraction and never past the cap', () => {
    const options = { baseMs: 1000, maxMs: 4000, jitter: 0.2 };
    expect(backoffDelay(0, options, () => 0)).toBe(800);
    expect(backoffDelay(0, options, () => 1)).toBe(1200);
    expect(backoffDelay(9, options, () => 1)).toBe(4000);
  });
});

describe('reconnecting after the daemon comes back', () => {
  it('never waits more than 1.5 s between attempts with the default backoff, jitter included', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      for (const r of [0, 0.5, 0.999]) expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => r)).toBeLessThanOrEqual(1500);
    }
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0.5)).toBe(250);
  });

  it('is live again within 2 s of the daemon answering, after being down for ten minutes', () => {
    const client = new FeedClient({ url: 'ws://x/api/v1/feed', createSocket: (url) => new FakeSocket(url), now: () => now });
    client.listen();
    last().open();
    last().deliver(hello('before'));
    last().drop();
    // Ten minutes of refused connections (each new socket closes at once).
    let up = false;
    const refuseUntilUp = () => {
      const socket = last();
      if (!up && socket.readyState === 0) socket.drop();
    };
    for (let t = 0; t < 600_000; t += 100) {
      now += 100;
      vi.advanceTimersByTime(100);
      refuseUntilUp();
    }
    expect(client.status).toBe('offline');
    up = true;
    const backAt = now;
    const before = FakeSocket.all.length;
    while (FakeSocket.all.length === before) {
      now += 10;
      vi.advanceTimersByTime(10);
    }
    last().open();
    last().deliver(hello('after'));
    expect(client.status).toBe('live');
    expect(now - backAt).toBeLessThanOrEqual(2000);
  });
});

describe('FeedClient and sessions', () => {
  it('stops retrying and reports the reason when the server ends the session', () => {
    const ended: string[] = [];
    const client = new FeedClient({ url: 'ws://x/api/v1/feed', createSocket: (url) => new FakeSocket(url), now: () => now, onSessionEnded: (r) => ended.push(r) });
    client.listen();
    last().open();
    last().deliver(hello());
    last().onclose?.({ code: 4001, reason: 'session expired' } as CloseEvent);
    vi.advanceTimersByTime(60_000);
    expect(ended).toEqual(['session expired']);
    expect(FakeSocket.all).toHaveLength(1);
    expect(client.status).toBe('offline');
  });
});
