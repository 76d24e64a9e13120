// `logs:` streams against the kube-sim, through a counting proxy that holds back the headers of log
// responses (as a kubelet does while it attaches): a name that matches no pod or container is refused
// before any request; streams are capped per connection and per session below the device cap; and
// subscribe/unsubscribe churn keeps at most one request open upstream per live subscription, with
// nothing left open after the last one leaves.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_STREAMS_PER_CONNECTION, MAX_STREAMS_PER_OWNER } from '../../daemon/src/feed/index.ts';
import { startHarness, type SimHarness } from '../kube-sim/test-kit.ts';
import { userSession, type TestSession } from '../helpers/auth.ts';
import { eventually } from '../helpers/cluster.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';
import type { FeedErrorMessage } from '../../daemon/src/protocol/index.ts';

const NS = 'streams';
const HEADER_DELAY_MS = 1500;

interface CountingProxy {
  url: string;
  /** Log requests open right now (waiting for headers or streaming), the most at once, and in all. */
  readonly open: number;
  readonly mostOpen: number;
  readonly total: number;
  resetMost(): void;
  close(): Promise<void>;
}

/** Forwards to the sim; log responses get their headers only after `delayMs`. */
async function countingProxy(target: string, delayMs: number): Promise<CountingProxy> {
  let open = 0;
  let mostOpen = 0;
  let total = 0;
  const server = http.createServer((req, res) => {
    const isLog = /\/pods\/[^/]+\/log(\?|$)/.test(req.url ?? '');
    let gone = false;
    res.on('close', () => {
      gone = true;
      if (isLog) open -= 1;
    });
    if (isLog) {
      open += 1;
      total += 1;
      mostOpen = Math.max(mostOpen, open);
    }
    const forward = (): void => {
      if (gone) return;
      const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    };
    if (isLog) setTimeout(forward, delayMs);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get open() {
      return open;
    },
    get mostOpen() {
      return mostOpen;
    },
    get total() {
      return total;
    },
    resetMost: () => (mostOpen = open),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let harness: SimHarness;
let proxy: CountingProxy;
let daemon: TestDaemon;
let vera: TestSession;
let walt: TestSession;
let pods: string[];
const simLogRequests: string[] = [];
const clients: TestFeedClient[] = [];

async function feed(session: TestSession): Promise<TestFeedClient> {
  const client = await TestFeedClient.open(daemon.url, session.feed());
  clients.push(client);
  return client;
}

const errorFor = (client: TestFeedClient, topic: string) => client.waitFor<FeedErrorMessage>((m) => m.type === 'error' && m.topic === topic);
const snapshotFor = (client: TestFeedClient, topic: string) =>
  client.waitFor((m) => m.type === 'snapshot' && (m.topic as string) === topic, { timeoutMs: 10_000 });
const refusal = (code: string, message: RegExp) => ({ code, message: expect.stringMatching(message) });

beforeAll(async () => {
  harness = await startHarness({ bookmarkMs: 1000, logRequests: (line) => void (/\/log\?/.test(line) && simLogRequests.push(line)) });
  proxy = await countingProxy(harness.sim.url, HEADER_DELAY_MS);
  const kubeconfig = path.join(harness.dir, 'via-proxy.kubeconfig');
  writeFileSync(kubeconfig, harness.sim.kubeconfig().replace(harness.sim.url, proxy.url), { mode: 0o600 });
  const applied = await harness.kubectl(['apply', '-f', '-'], {
    input: `apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: many, namespace: ${NS}}
spec:
  replicas: 20
  selector: {matchLabels: {app: many}}
  template:
    metadata: {labels: {app: many}}
    spec: {containers: [{name: main, image: registry.local/many:1}]}
`,
  });
  expect(applied.code, applied.stderr).toBe(0);
  daemon = await startTestDaemon({ cluster: { kubeconfig } });
  vera = await userSession(daemon.home, daemon.url, 'vera', 'viewer');
  walt = await userSession(daemon.home, daemon.url, 'walt', 'viewer');
  pods = await eventually(() => {
    const running = (daemon.cluster.view?.caches.pods.values() ?? []).filter((p) => p.metadata?.namespace === NS && p.status?.phase === 'Running');
    const names = running.map((p) => p.metadata?.name ?? '');
    return names.length >= 20 ? names.sort() : null;
  }, '20 running pods', 60_000);
}, 120_000);

afterAll(async () => {
  clients.forEach((c) => c.close());
  await daemon?.stop();
  await proxy?.close();
  await harness?.close();
});

const topicOf = (pod: string, container = 'main') => `logs:${NS}/${pod}/${container}`;

describe('logs: streams', () => {
  it('refuses a pod or container that does not exist with its own code, before any request', async () => {
    const client = await feed(vera);
    const before = proxy.total;
    client.send({ type: 'subscribe', topic: topicOf('no-such-pod') });
    client.send({ type: 'subscribe', topic: topicOf(pods[0]!, 'no-such-container') });
    expect(await errorFor(client, topicOf('no-such-pod'))).toMatchObject(refusal('feed_log_target_not_found', /does not exist/));
    expect(await errorFor(client, topicOf(pods[0]!, 'no-such-container'))).toMatchObject(refusal('feed_log_target_not_found', /no container named/));
    await new Promise((r) => setTimeout(r, 300));
    expect(proxy.total).toBe(before);
    expect(daemon.hub.dynamicTopicCount).toBe(0);
  });

  it('caps streams per connection and per session below the device cap', async () => {
    expect(MAX_STREAMS_PER_CONNECTION).toBeLessThan(MAX_STREAMS_PER_OWNER);
    expect(MAX_STREAMS_PER_OWNER).toBeLessThan(daemon.hub.streamLimits.device);
    const first = await feed(vera);
    for (const pod of pods.slice(0, MAX_STREAMS_PER_CONNECTION + 1)) first.send({ type: 'subscribe', topic: topicOf(pod) });
    expect(await errorFor(first, topicOf(pods[MAX_STREAMS_PER_CONNECTION]!))).toMatchObject(refusal('feed_too_many_streams', /per connection/));
    const second = await feed(vera);
    for (const pod of pods.slice(MAX_STREAMS_PER_CONNECTION, MAX_STREAMS_PER_OWNER)) second.send({ type: 'subscribe', topic: topicOf(pod) });
    await snapshotFor(second, topicOf(pods[MAX_STREAMS_PER_OWNER - 1]!));
    const third = await feed(vera);
    third.send({ type: 'subscribe', topic: topicOf(pods[MAX_STREAMS_PER_OWNER]!) });
    expect(await errorFor(third, topicOf(pods[MAX_STREAMS_PER_OWNER]!))).toMatchObject(refusal('feed_too_many_streams', /per session/));
    expect(daemon.hub.dynamicTopicCount).toBe(MAX_STREAMS_PER_OWNER);
    // Another session still gets its streams, and the caps free up when sockets close.
    const other = await feed(walt);
    other.send({ type: 'subscribe', topic: topicOf(pods[19]!) });
    await snapshotFor(other, topicOf(pods[19]!));
    [first, second, third, other].forEach((c) => c.close());
    await eventually(() => daemon.hub.dynamicTopicCount === 0 && proxy.open === 0, 'every stream closed upstream', 10_000);
  }, 30_000);

  it('keeps at most one request open upstream per live subscription under churn, and none after leave', async () => {
    const client = await feed(vera);
    const topic = topicOf(pods[3]!);
    await eventually(() => proxy.open === 0, 'a quiet start', 10_000);
    proxy.resetMost();
    const totalBefore = proxy.total;
    const streamsBefore = harness.sim.activeStreams();
    const cycles = 50;
    for (let i = 0; i < cycles; i += 1) {
      client.send({ type: 'subscribe', topic });
      await snapshotFor(client, topic).then(() => client.messages.splice(0));
      client.send({ type: 'unsubscribe', topic });
      await client.waitFor((m) => m.type === 'unsubscribed');
      client.messages.splice(0);
    }
    // Each subscription opened its request (headers held back 1.5 s), and each leave aborted it.
    expect(proxy.mostOpen).toBeLessThanOrEqual(1);
    expect(proxy.total - totalBefore).toBeLessThanOrEqual(cycles);
    await eventually(() => proxy.open === 0, 'nothing open upstream after the last leave', 5000);
    expect(daemon.hub.dynamicTopicCount).toBe(0);
    expect(harness.sim.activeStreams()).toBeLessThanOrEqual(streamsBefore);

    // A subscription that lives past the held-back headers streams, and still ends upstream on leave.
    client.send({ type: 'subscribe', topic });
    await client.waitFor((m) => m.type === 'event' && (m.topic as string) === topic, { timeoutMs: 15_000 });
    expect(proxy.open).toBe(1);
    client.close();
    await eventually(() => proxy.open === 0 && harness.sim.activeStreams() <= streamsBefore, 'the stream closed at the proxy and the sim', 5000);
    // The sim served it (its request log has the follow), and serves no stream for it any more.
    expect(simLogRequests.some((line) => line.includes(`/pods/${pods[3]!}/log?`) && line.includes('follow=true'))).toBe(true);
  }, 60_000);
});
