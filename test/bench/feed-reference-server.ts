// The reference for the feed bench: a bare express + ws server that broadcasts the same bytes the
// daemon's `system` topic would, at the same rate, with nothing else (no topics, resume or budgets).
import http from 'node:http';
import express from 'express';
import { WebSocketServer } from 'ws';

const intervalMs = Number(process.argv[2] ?? 100);
const app = express();
app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
const server = http.createServer(app);
const wss = new WebSocketServer({ server, path: '/api/v1/feed', perMessageDeflate: false });
const started = performance.timeOrigin + performance.now();
let seq = 0;
setInterval(() => {
  const now = performance.timeOrigin + performance.now();
  seq += 1;
  const event = { kind: 'system.tick.v1', uptimeS: Math.floor((now - started) / 1000), clients: wss.clients.size, serverTime: now };
  const bytes = Buffer.from(JSON.stringify({ type: 'event', topic: 'system', seq, event }));
  for (const client of wss.clients) client.send(bytes, { binary: false });
}, intervalMs);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`LISTENING ${address.port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
