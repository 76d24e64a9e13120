// Adapter: attaches the feed WebSocket to an HTTP server. Handshake checks are delegated to
// `authorizeUpgrade` (the access layer); the heartbeat pings every client and terminates those that
// did not answer the previous ping (only a pong counts: a client that floods but never reads is not
// alive). Pongs to the client's pings go through its connection's budget, never ws's automatic ones.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../lib/logger.ts';
import { FEED_CLOSE, FEED_PATH, FEED_PROTOCOL } from '../protocol/feed.ts';
import { FeedConnection } from './connection.ts';
import type { FeedHub } from './hub.ts';

export interface UpgradeDecision {
  ok: boolean;
  status?: number;
  /** Topics this client may see; undefined means every topic. */
  mayAccess?: (topic: string) => boolean;
  /** Lets the access layer close this socket later (logout, expiry). */
  onOpen?: (close: (code: number, reason: string) => void) => () => void;
  /** Who the socket acts for (a session), for the per-session stream cap. */
  owner?: string;
}

export interface FeedServerOptions {
  hub: FeedHub;
  log: Logger;
  version: string;
  heartbeatMs: number;
  maxMessageBytes: number;
  sendBufferBytes: number;
  maxSubscriptions: number;
  /** Incoming frames per client: sustained rate and burst (defaults in connection.ts). */
  framesPerSecond?: number;
  frameBurst?: number;
  authorizeUpgrade?: (req: IncomingMessage) => UpgradeDecision;
}

export interface FeedServer {
  readonly clientCount: number;
  /** Per client: bytes queued for it right now and events dropped for it so far. */
  clientStats(): { bufferedAmount: number; dropped: number }[];
  /** Closes every socket with a reason and stops the heartbeat. */
  close(code?: number, reason?: string): void;
}

/** How long a client that broke its limits keeps its socket after the close frame was queued. */
const VIOLATION_GRACE_MS = 500;

interface Client {
  socket: WebSocket;
  connection: FeedConnection;
  alive: boolean;
  detach: () => void;
}

export function attachFeed(server: Server, options: FeedServerOptions): FeedServer {
  const log = options.log;
  const clients = new Set<Client>();
  // One frame per event-loop turn (allowSynchronousEvents: false): a client pouring frames in cannot
  // hold the loop for a whole 64 KiB chunk of them, so other requests interleave.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    perMessageDeflate: false,
    autoPong: false,
    allowSynchronousEvents: false,
  });

  function reject(socket: Duplex, status: number, text: string): void {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== FEED_PATH) return reject(socket, 404, 'Not Found');
    const decision = options.authorizeUpgrade?.(req) ?? { ok: true };
    if (!decision.ok) {
      log.info({ status: decision.status, address: req.socket.remoteAddress }, 'feed handshake refused');
      return reject(socket, decision.status ?? 403, decision.status === 401 ? 'Unauthorized' : 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, decision));
  });

  function onConnection(socket: WebSocket, decision: UpgradeDecision): void {
    const connection = new FeedConnection(socket, options.hub, {
      sendBufferBytes: options.sendBufferBytes,
      maxSubscriptions: options.maxSubscriptions,
      mayAccess: decision.mayAccess,
      framesPerSecond: options.framesPerSecond,
      frameBurst: options.frameBurst,
      owner: decision.owner,
      onViolation: (close) => {
        log.info({ reason: close.reason, queued: socket.bufferedAmount }, 'feed client broke its limits; closing');
        // Stop reading its frames at once; the close frame may never reach a client that does not
        // read, so the socket is cut shortly after whatever it does.
        socket.pause();
        socket.close(close.code, close.reason);
        setTimeout(() => socket.terminate(), VIOLATION_GRACE_MS).unref();
      },
    });
    const client: Client = { socket, connection, alive: true, detach: () => undefined };
    client.detach = decision.onOpen?.((code, reason) => socket.close(code, reason)) ?? client.detach;
    clients.add(client);

    socket.on('message', (data, isBinary) => {
      if (isBinary) connection.receiveBinary();
      else connection.receive(data.toString());
    });
    socket.on('ping', (data) => connection.receivePing(data));
    socket.on('pong', () => {
      client.alive = true;
      connection.receivePong();
    });
    socket.on('error', (error) => log.debug({ err: error }, 'feed socket error'));
    socket.on('close', () => {
      clients.delete(client);
      connection.close();
      client.detach();
    });
    connection.send({
      type: 'hello',
      protocol: FEED_PROTOCOL,
      epoch: options.hub.epoch,
      version: options.version,
      heartbeatMs: options.heartbeatMs,
      maxMessageBytes: options.maxMessageBytes,
      topics: options.hub.topicNames().filter((t) => decision.mayAccess?.(t) ?? true),
    });
  }

  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        log.info('feed client missed its heartbeat; terminating');
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
      client.connection.sendIfRoom({ type: 'heartbeat', time: Date.now() });
    }
  }, options.heartbeatMs);
  heartbeat.unref();

  return {
    clientStats() {
      return [...clients].map((c) => ({ bufferedAmount: c.socket.bufferedAmount, dropped: c.connection.dropped }));
    },
    get clientCount() {
      return clients.size;
    },
    close(code: number = FEED_CLOSE.shuttingDown.code, reason: string = FEED_CLOSE.shuttingDown.reason) {
      clearInterval(heartbeat);
      for (const client of clients) client.socket.close(code, reason);
      wss.close();
    },
  };
}
