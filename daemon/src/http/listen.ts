// Adapter: one HTTP or HTTPS listener with the limits every listener gets: header and request
// timeouts, a cap on open connections per source address, and a close() that ends them all.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { RequestListener } from 'node:http';

export interface ListenOptions {
  handler: RequestListener;
  address: string;
  port: number;
  tls?: { cert: string; key: string };
  connectionsPerAddress: number;
}

export interface Listening {
  server: http.Server;
  port: number;
  secure: boolean;
  url: string;
  close(): Promise<void>;
}

export async function listen(options: ListenOptions): Promise<Listening> {
  const serverOptions = { headersTimeout: 10_000, requestTimeout: 60_000, keepAliveTimeout: 5_000 };
  const server: http.Server = options.tls
    ? https.createServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, options.handler)
    : http.createServer(serverOptions, options.handler);

  const perAddress = new Map<string, number>();
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '-';
    const count = (perAddress.get(address) ?? 0) + 1;
    if (count > options.connectionsPerAddress) {
      socket.destroy();
      return;
    }
    perAddress.set(address, count);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left <= 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  });
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
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closing;
    },
  };
}
