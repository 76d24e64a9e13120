// Composition root: config -> adapters -> capabilities -> servers. The only place real adapters
// are built. `startDaemon` listens and returns a handle whose close() stops everything it started.
import http from 'node:http';
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/index.ts';
import type { Logger } from './lib/logger.ts';
import { projectRoot, readPackageVersion } from './lib/package-info.ts';
import { FeedHub, attachFeed, startSystemTopic } from './feed/index.ts';
import { RouteTable, coreRoutes, createApp, uiIsBuilt, type ReadinessProbe } from './http/index.ts';
import { FEED_CLOSE } from './protocol/feed.ts';
import { createHealth } from './health/index.ts';

export interface DaemonHandle {
  readonly url: string;
  readonly port: number;
  readonly hub: FeedHub;
  /** Stops accepting, closes feed sockets with `reason`, ends open HTTP connections. */
  close(reason?: string): Promise<void>;
}

export async function startDaemon(config: Config, log: Logger): Promise<DaemonHandle> {
  const version = readPackageVersion();
  const uiDist = config.ui.dist ? path.resolve(config.ui.dist) : path.join(projectRoot(), 'ui', 'dist');
  mkdirSync(config.home, { recursive: true, mode: 0o700 });

  const hub = new FeedHub({ replayEvents: config.feed.replayEvents });
  const readiness: ReadinessProbe[] = [
    function stateDirectory() {
      try {
        accessSync(config.home, constants.W_OK);
        return { name: 'state-directory', status: 'ok', required: true };
      } catch (error) {
        return { name: 'state-directory', status: 'failing', required: true, reason: `${config.home} is not writable: ${String(error)}` };
      }
    },
    function ui() {
      return uiIsBuilt(uiDist)
        ? { name: 'ui', status: 'ok', required: false }
        : { name: 'ui', status: 'failing', required: false, reason: `${uiDist}/index.html missing; run npm run build` };
    },
  ];

  let feedClients = () => 0;
  const health = createHealth({ hub, log, thresholds: config.health.thresholds, tiers: config.health, clientCount: () => feedClients() });

  const routes = new RouteTable();
  routes.add(...coreRoutes({ version, readiness }));
  routes.add(...health.routes());
  const app = createApp({ log, routes, uiDist });

  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 60_000, keepAliveTimeout: 5_000 }, app);
  const feed = attachFeed(server, {
    hub,
    log: log.child({ module: 'feed' }),
    version,
    heartbeatMs: config.feed.heartbeatMs,
    maxMessageBytes: config.feed.maxMessageBytes,
    sendBufferBytes: config.feed.sendBufferBytes,
    maxSubscriptions: config.feed.maxSubscriptions,
  });
  feedClients = () => feed.clientCount;
  health.start();
  const stopSystem = startSystemTopic(hub, { version, intervalMs: config.feed.systemIntervalMs, clientCount: () => feed.clientCount });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.listen.address.includes(':') ? `[${config.listen.address}]` : config.listen.address;
  const url = `http://${host}:${port}/`;
  log.info({ url, home: config.home, version, node: process.versions.node }, 'outpost listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    hub,
    close(reason = FEED_CLOSE.shuttingDown.reason) {
      closing ??= new Promise<void>((resolve) => {
        stopSystem();
        health.stop();
        server.close(() => resolve());
        feed.close(FEED_CLOSE.shuttingDown.code, reason);
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closing;
    },
  };
}
