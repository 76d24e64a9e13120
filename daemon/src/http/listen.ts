// Adapter: one HTTP or HTTPS listener with the limits every listener gets: header and request
// timeouts, a cap on open connections per source address (or per local user), and a close() that
// ends them all.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { RequestListener } from 'node:http';
import { procPeerUsers, type PeerUsers } from './peer-user-adapter.ts';

export interface ListenOptions {
  handler: RequestListener;
  address: string;
  port: number;
  tls?: { cert: string; key: string };
  connectionsPerAddress: number;
  /**
   * What the cap counts by. `address` (default): the source address, every loopback source counting
   * as one (any local process may pick any of 127/8). `localUser`: the local user owning the peer
   * socket, as the kernel records it — for the loopback kiosk listener, so one local process cannot
   * take the screen's connections (docs/security.md). Each connection waits for its owner (a read of
   * the kernel's socket table shared by every connection waiting) before HTTP sees a byte of it.
   */
  capBy?: 'address' | 'localUser';
  /** Where `localUser` learns owners (default: /proc/net/tcp); tests may hand in their own. */
  peerUsers?: PeerUsers;
  /** Told (once) when an owner cannot be learnt; such connections are then counted by their address. */
  onPeerUnknown?: (reason: string) => void;
  /**
   * Requests that may take as long as they keep moving (tus upload PATCHes): exempt from the 60 s
   * request timeout, closed instead when their connection sends nothing for `idleMs`.
   */
  longRequests?: { matches(req: http.IncomingMessage): boolean; idleMs: number };
  /** The whole request must arrive within this (default 60 s; tests shorten it). */
  requestTimeoutMs?: number;
}

/** The key a connection counts under with `capBy: 'address'`. */
export function addressKey(address: string | undefined): string {
  const a = (address ?? '-').replace(/^::ffff:/i, '');
  return a === '::1' || /^127\./.test(a) ? 'loopback' : a;
}

export interface Listening {
  server: http.Server;
  port: number;
  secure: boolean;
  url: string;
  close(): Promise<void>;
}

export const REQUEST_TIMEOUT_MS = 60_000;

export async function listen(options: ListenOptions): Promise<Listening> {
  // Node's requestTimeout cannot exempt one request, so with long requests it is ours (requestTimer).
  const requestTimeout = options.longRequests ? 0 : (options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS);
  const serverOptions = { headersTimeout: 10_000, requestTimeout, keepAliveTimeout: 5_000 };
  const server: http.Server = options.tls
    ? https.createServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, options.handler)
    : http.createServer(serverOptions, options.handler);
  if (options.longRequests) server.prependListener('request', requestTimer(options.longRequests, options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS));

  const counts = new Map<string, number>();
  const admit = (key: string, socket: Socket): boolean => {
    const count = (counts.get(key) ?? 0) + 1;
    if (count > options.connectionsPerAddress) return false;
    counts.set(key, count);
    socket.once('close', () => {
      const left = (counts.get(key) ?? 1) - 1;
      if (left <= 0) counts.delete(key);
      else counts.set(key, left);
    });
    return true;
  };
  const waiting = new Set<Socket>();
  if (options.capBy === 'localUser') admitByLocalUser(server, options, admit, waiting);
  else {
    server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      if (!admit(addressKey(socket.remoteAddress), socket)) socket.destroy();
    });
  }
  if (options.tls) server.on('tlsClientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.address.includes(':') ? `[${options.address}]` : options.address;
  const url = `${options.tls ? 'https' : 'http'}://${host}:${port}/`;
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    secure: Boolean(options.tls),
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of waiting) socket.destroy();
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closing;
    },
  };
}

/**
 * Holds each new connection (not yet read: `pauseOnConnect`) until the owner of its peer socket is
 * known, then hands it to HTTP or refuses it. Bounded: at most 2× the cap waiting and 4× the cap open
 * over all users (file descriptors); past that a connection is refused at once.
 */
function admitByLocalUser(server: http.Server, options: ListenOptions, admit: (key: string, socket: Socket) => boolean, waiting: Set<Socket>): void {
  const peerUsers = options.peerUsers ?? procPeerUsers();
  const maxWaiting = options.connectionsPerAddress * 2;
  const maxOpen = options.connectionsPerAddress * 4;
  let open = 0;
  // net.Server reads this for every accepted socket; http.createServer has no option for it.
  (server as unknown as { pauseOnConnect: boolean }).pauseOnConnect = true;
  let warned = false;
  const handOver = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    if (waiting.size >= maxWaiting || open >= maxOpen) return void socket.destroy();
    waiting.add(socket);
    const onError = (): void => void socket.destroy();
    socket.on('error', onError);
    void peerUsers.ownerOf(socket).then((owner) => {
      waiting.delete(socket);
      socket.off('error', onError);
      if (socket.destroyed || 'gone' in owner) return void socket.destroy();
      if ('unknown' in owner && !warned) {
        warned = true;
        options.onPeerUnknown?.(owner.unknown);
      }
      const key = 'uid' in owner ? `uid:${owner.uid}` : addressKey(socket.remoteAddress);
      if (open >= maxOpen || !admit(key, socket)) return void socket.destroy();
      open += 1;
      socket.once('close', () => (open -= 1));
      for (const listener of handOver) listener.call(server, socket);
      socket.resume();
    });
  });
}

/**
 * The request timeout Node would apply (the whole request received within 60 s, else 408 and the
 * connection closed), except for long requests, whose connection is closed after `idleMs` without a
 * byte instead: a 3-hour upload that keeps moving lives, a stalled one is cut and resumes later.
 */
function requestTimer(long: NonNullable<ListenOptions['longRequests']>, timeoutMs: number): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const socket = req.socket;
    if (long.matches(req)) {
      socket.setTimeout(long.idleMs, () => socket.destroy());
      // Between requests the keep-alive timeout rules again.
      res.once('close', () => socket.setTimeout(0));
      return;
    }
    if (req.complete) return;
    const timer = setTimeout(() => {
      if (req.complete) return;
      if (!res.headersSent) res.writeHead(408, { connection: 'close' }).end();
      socket.destroy();
    }, timeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    req.once('end', clear);
    res.once('close', clear);
  };
}
