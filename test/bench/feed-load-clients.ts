// Load generator for the feed bench, run in its own process so its CPU is not the server's:
// opens N sockets, subscribes to `system` when the server speaks the Outpost protocol, and records
// delivery latency (receive time minus the event's serverTime, same machine clock) after a warm-up.
import WebSocket from 'ws';

const [url = '', countText = '1', durationText = '10000', warmupText = '2000'] = process.argv.slice(2);
// The daemon's feed needs a session: the bench hands one in (cookie, the page's origin, and the
// session's token, offered as a subprotocol the way the page does).
const headers = process.env.FEED_COOKIE ? { cookie: process.env.FEED_COOKIE, origin: process.env.FEED_ORIGIN ?? '' } : undefined;
const protocols = process.env.FEED_TOKEN ? ['outpost.feed.v1', `outpost.token.${process.env.FEED_TOKEN}`] : [];
const count = Number(countText);
const durationMs = Number(durationText);
const warmupMs = Number(warmupText);
const latencies: number[] = [];
const sockets: WebSocket[] = [];
const startAt = Date.now();
let received = 0;

for (let i = 0; i < count; i += 1) {
  const socket = new WebSocket(url, protocols, { perMessageDeflate: false, headers });
  socket.on('message', (data) => {
    const now = performance.timeOrigin + performance.now();
    const message = JSON.parse(data.toString()) as { type: string; event?: { serverTime: number } };
    if (message.type === 'hello') socket.send(JSON.stringify({ type: 'subscribe', topic: 'system' }));
    if (message.type !== 'event' || !message.event) return;
    received += 1;
    if (Date.now() - startAt >= warmupMs) latencies.push(now - message.event.serverTime);
  });
  socket.on('error', (error) => process.stderr.write(`socket ${i}: ${error.message}\n`));
  sockets.push(socket);
}

setTimeout(() => {
  latencies.sort((a, b) => a - b);
  const pick = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;
  process.stdout.write(`${JSON.stringify({ received, samples: latencies.length, p50: pick(50), p99: pick(99), open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length })}\n`);
  for (const socket of sockets) socket.terminate();
  process.exit(0);
}, warmupMs + durationMs);
