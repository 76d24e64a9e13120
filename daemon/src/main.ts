// Composition root of the web process: config -> adapters -> capabilities -> servers. The only place
// the web's real adapters are built; the privileged agent's are built in agent-main.ts, and
// agent-connection.ts chooses how this process reaches it (in-process, a child, or systemd's socket).
// `startDaemon` listens and returns a handle whose close() stops everything it started.
// Two listeners: the main one (HTTPS off loopback) for people with a login, and the kiosk one
// (plain HTTP on 127.0.0.1) for the appliance screen, which has no mutating route at all.
// Starting is all or nothing (startup.ts): if any part fails, what started is stopped again and
// one StartupError names the cause; a half-started daemon never keeps running.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config/index.ts';
import type { Logger } from './lib/logger.ts';
import { projectRoot, readPackageVersion } from './lib/package-info.ts';
import { openDatabase } from './store/index.ts';
import { FeedHub, attachFeed, startSystemTopic, type FeedServer } from './feed/index.ts';
import { RouteTable, coreRoutes, createApp, listen, type RouteSpec } from './http/index.ts';
import { feedAccess, isHostAllowed, isLoopbackAddress, kioskRoutes, policyGuard, servedOnKiosk, servedOnMain, sessionRoutes, userRoutes, type Listener } from './auth/index.ts';
import { auditRoutes } from './audit/routes.ts';
import { nodeReadiness, startCluster, type ClusterService } from './cluster/index.ts';
import { buildAccess } from './access.ts';
import { readinessProbes } from './readiness.ts';
import { watchCertificate } from './tls-watch.ts';
import type { Server as HttpsServer } from 'node:https';
import { FEED_CLOSE } from './protocol/feed.ts';
import { createHealth, type Health, type HealthOptions } from './health/index.ts';
import { createStatus, upgradeConcerns, type StatusConcern, type StatusService } from './status/index.ts';
import { isTlsError } from './tls/index.ts';
import { cannotListen, KIOSK_LISTENER, MAIN_LISTENER, StartedParts, StartupError } from './startup.ts';
import type { LogRing } from './lib/log-ring.ts';
import { createSupportService, type JournalOptions, type SupportService } from './support/index.ts';
import { supportBundleSpec, upgradeRecords } from './support-sources.ts';
import { supportRoutes } from './support-routes.ts';

export { StartupError } from './startup.ts';
import { eventsOf, type ArrivalAgent, type UpgradeAgent } from './agent/index.ts';
import { connectAgent, type AgentConnection } from './agent-connection.ts';
import { createUploads, type Uploads } from './uploads/index.ts';
import { attachUsb } from './usb-api/index.ts';
import { attachUpgrades } from './upgrade-api/index.ts';
import { UpgradeStore } from './upgrade/index.ts';

export interface DaemonHandle {
  readonly url: string;
  readonly port: number;
  /** The loopback kiosk listener, when enabled. */
  readonly kioskUrl: string | null;
  readonly hub: FeedHub;
  /** The first-start setup code while no admin exists, else null. */
  readonly setupCode: string | null;
  /** The health capability (sampler, history, topic). */
  readonly health: Health;
  /** The cluster capability (its view is null without a kubeconfig). */
  readonly cluster: ClusterService;
  /** The device verdict. */
  readonly status: StatusService;
  /** Support bundles: `writeSupportBundle(dest, signal)` is the USB hook (issue 13). */
  readonly support: SupportService;
  /** Per feed client: bytes queued and events dropped (the slow-client budget at work). */
  feedClientStats(): { bufferedAmount: number; dropped: number }[];
  /** The upgrade verbs, through the agent. */
  readonly upgrades: UpgradeAgent;
  /** Resolves once the agent's upgrade engine holds its lock and has recovered any unfinished upgrade. */
  readonly upgradesReady: Promise<void>;
  /** How this process reaches the agent, and whether it is there. */
  readonly agent: Pick<AgentConnection, 'mode' | 'describe'>;
  /** The verbs by which bundles arrive (uploads handed over, USB sticks), through the agent. */
  readonly arrival: ArrivalAgent;
  /** Browser uploads (tus): the registry of where each stands. */
  readonly uploads: Uploads;
  /** Every registered HTTP route with its policy (tests walk it). */
  readonly routes: readonly RouteSpec[];
  /** Stops accepting, closes feed sockets with `reason`, ends open HTTP connections. */
  close(reason?: string): Promise<void>;
}

/** Test seams: adapters a test may swap for recorded ones (the daemon itself never sets them). */
export interface DaemonSeams {
  health?: Pick<HealthOptions, 'root' | 'statfs' | 'identity' | 'clock'>;
  /** The support bundle's journalctl (null: not read) and temp folder. */
  support?: { journal?: JournalOptions | null; spoolDir?: string };
}

/** What the caller built with the logger: the ring of recent log lines the support bundle includes. */
export interface DaemonInputs {
  recentLogs?: LogRing;
  /** The environment the config was resolved with: an agent child gets it (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export async function startDaemon(config: Config, log: Logger, seams: DaemonSeams = {}, inputs: DaemonInputs = {}): Promise<DaemonHandle> {
  const parts = new StartedParts();
  try {
    return await assemble(config, log, seams, parts, inputs);
  } catch (error) {
    await parts.stopAll((part, e) => log.error({ err: e, part }, 'stopping a part after a failed start failed'));
    if (error instanceof StartupError || isTlsError(error)) throw error;
    throw new StartupError(`cannot start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

async function assemble(config: Config, log: Logger, seams: DaemonSeams, parts: StartedParts, inputs: DaemonInputs): Promise<DaemonHandle> {
  const startedAt = Date.now();
  const version = readPackageVersion();
  const uiDist = config.ui.dist ? path.resolve(config.ui.dist) : path.join(projectRoot(), 'ui', 'dist');
  mkdirSync(config.home, { recursive: true, mode: 0o700 });

  const db = openDatabase(config.home);
  parts.add('database', () => db.close());
  // The agent first: audit records (from the first login on) are written through it.
  const agent = await connectAgent(config, log, { journal: seams.support?.journal, ...(inputs.env ? { env: inputs.env } : {}) });
  parts.add('agent', () => agent.close());
  const access = buildAccess(config, db, log, agent.audit);
  // Counted refusals and failed logins are flushed into the audit log before the database closes.
  parts.add('audit counters', () => access.counted.close());
  const hub = new FeedHub({ replayEvents: config.feed.replayEvents });

  const loopbackOnly = isLoopbackAddress(config.listen.address);
  const secure = !loopbackOnly && config.tls.mode === 'auto';
  // Made at every start (cheap when nothing changed) so the kiosk can show its fingerprint even
  // before a non-loopback listener uses it.
  const certificate = await watchCertificate(config, log.child({ module: 'tls' }));
  const tls = secure ? { cert: certificate.current.certPem, key: certificate.current.keyPem } : undefined;
  const transportWarning = !loopbackOnly && !secure ? 'This connection is plain HTTP (tls.mode: off): passwords and sessions cross the network unencrypted.' : null;

  let mainPort = config.listen.port;
  const routes = new RouteTable();
  routes.add(...coreRoutes({ version, readiness: readinessProbes(config.home, uiDist) }));
  routes.add(...sessionRoutes({ auth: access.auth, secure, transportWarning }));
  routes.add(...userRoutes(access.auth));
  // The chain's state comes from the agent: only it holds the key that verifies it.
  routes.add(...auditRoutes(access.records, { status: () => agent.verbs.auditStatus() }));
  const cluster = await startCluster({
    hub,
    audit: access.audit,
    log,
    kubeconfig: config.cluster.kubeconfig,
    rolloutDeadlineMs: config.cluster.rolloutTimeoutSeconds * 1000,
    stabilityMs: config.cluster.stabilitySeconds * 1000,
    agent: agent.verbs,
  });
  parts.add('cluster', () => cluster.stop());
  routes.add(...cluster.routes);
  const upgradesWeb = attachUpgrades({ hub, agent: agent.verbs, whenUp: (signal) => agent.whenUp(signal), workloads: () => (cluster.view ? cluster.topic.state.workloads : null), log });
  parts.add('upgrade routes', () => upgradesWeb.stop());
  routes.add(...upgradesWeb.routes);
  const usbWeb = attachUsb({ hub, agent: agent.verbs, whenUp: (signal) => agent.whenUp(signal), policy: config.usb.policy, log });
  parts.add('usb topic', () => usbWeb.stop());
  const uploads = createUploads({
    spoolDir: config.uploads.spoolDir ?? path.join(config.home, 'uploads'),
    maxBytes: config.uploads.maxBytes,
    maxConcurrent: config.uploads.maxConcurrent,
    expireMs: config.uploads.expireHours * 3_600_000,
    idleTimeoutMs: config.uploads.idleTimeoutSeconds * 1000,
    reservePercent: config.upgrade.diskReservePercent,
    agent: agent.verbs,
    audit: (input) => access.audit.append(input),
    log: log.child({ module: 'uploads' }),
  });
  routes.add(...uploads.routes);
  routes.add(...kioskRoutes({ setupCode: () => (access.auth.setupOpen ? access.setup.currentCode : null), main: { address: config.listen.address, port: () => mainPort, tls: secure }, fingerprint: () => certificate.current.fingerprint256 }));
  let feedClients = () => 0;
  const health = createHealth({
    ...seams.health,
    hub,
    log,
    thresholds: config.health.thresholds,
    tiers: config.health,
    clientCount: () => feedClients(),
    onTransition: (t) => log.warn({ module: 'health', from: t.from, to: t.to, reasons: t.evaluation.reasons }, `node health ${t.from} -> ${t.to}`),
  });
  routes.add(...health.routes());

  // Outpost's own faults that do not stop it: a capability that could not start, the agent away.
  const faults: StatusConcern[] = cluster.problem ? [{ severity: 'critical', subject: 'cluster-capability', message: cluster.problem, since: startedAt }] : [];
  const status = createStatus({
    hub,
    log,
    startedAt,
    rules: {
      clusterGraceMs: config.status.clusterGraceSeconds * 1000,
      clusterBootGraceMs: config.status.clusterBootGraceSeconds * 1000,
      // Stalled: five fast intervals without a sample, and never less than 10 s (a busy box skips a tick).
      samplerStallMs: Math.max(5 * config.health.fastMs, 10_000),
    },
    node: () => ({ evaluation: health.topic.state.evaluation, lastSampleAt: health.sampler.latest?.time ?? null }),
    cluster: () => (cluster.topic.state.status.state === 'none' ? null : { status: cluster.topic.state.status, workloads: cluster.topic.state.workloads }),
    // A failed release, one rolling back, an upgrade rolled back in the last day (docs/status.md).
    upgrade: () => upgradeConcerns(upgradesWeb.topic.state, Date.now()),
    outpost: () => [...faults, ...agent.concerns()],
    registry: health.registry,
  });
  routes.add(...status.routes());
  // The verdict says at once when the agent goes or comes back.
  parts.add('agent watch', agent.onChange(() => status.refresh()));

  const support = createSupportService(() =>
    supportBundleSpec({
      config,
      version,
      db,
      auditChain: () => agent.verbs.auditChainState(),
      readJournal: (signal) => eventsOf((onChunk, s) => agent.verbs.supportJournal(onChunk, s), signal),
      cluster: cluster.support ? { support: cluster.support } : { support: null, reason: cluster.problem ?? 'no kubeconfig found: this device has no cluster configured' },
      daemon: {
        health: { snapshot: () => health.snapshot(), history: (range) => health.history.query(range, range === '1h' ? 3600 : 1440) },
        verdict: () => status.refresh(),
        recentLogs: inputs.recentLogs ?? null,
        setupCode: () => access.setup.currentCode,
      },
      upgrades: upgradeRecords(new UpgradeStore(db)),
      journal: seams.support?.journal,
      spoolDir: seams.support?.spoolDir,
    }),
  );
  routes.add(...supportRoutes({ support, audit: access.audit, log, maxBytes: config.support.maxBytes }));

  const hostAllowed = (host: string | undefined) => isHostAllowed(host, access.hosts.names);
  const appFor = (listener: Listener, listenerSecure: boolean, include: (r: RouteSpec) => boolean) =>
    createApp({
      log,
      routes,
      uiDist,
      include,
      hostAllowed,
      jsonLimitBytes: config.limits.jsonBodyBytes,
      guard: policyGuard({
        auth: access.auth,
        audit: access.audit,
        counted: access.counted,
        listener,
        secure: listenerSecure,
        scrapeToken: config.metrics.scrapeToken,
      }),
    });

  const mainListening = await listen({
    handler: appFor('main', secure, servedOnMain),
    address: config.listen.address,
    port: config.listen.port,
    tls,
    connectionsPerAddress: config.limits.connectionsPerAddress,
    longRequests: uploads.longRequests,
  }).catch((error: unknown) => Promise.reject(cannotListen(error, config.listen.address, config.listen.port, MAIN_LISTENER)));
  parts.add('main listener', () => mainListening.close());
  parts.add('uploads', uploads.start());
  mainPort = mainListening.port;
  const kioskListening = config.kiosk.enabled
    ? await listen({
        handler: appFor('kiosk', false, servedOnKiosk),
        address: '127.0.0.1',
        port: config.kiosk.port,
        connectionsPerAddress: config.limits.connectionsPerAddress,
        // Per local user, so one local process cannot take the screen's connections (docs/security.md).
        capBy: 'localUser',
        onPeerUnknown: (reason) => log.warn({ reason }, 'kiosk listener: cannot tell which local user connected; counting by address'),
      }).catch((error: unknown) => Promise.reject(cannotListen(error, '127.0.0.1', config.kiosk.port, KIOSK_LISTENER)))
    : undefined;
  if (kioskListening) parts.add('kiosk listener', () => kioskListening.close());

  const feedOptions = {
    hub,
    log: log.child({ module: 'feed' }),
    version,
    heartbeatMs: config.feed.heartbeatMs,
    maxMessageBytes: config.feed.maxMessageBytes,
    sendBufferBytes: config.feed.sendBufferBytes,
    maxSubscriptions: config.feed.maxSubscriptions,
    framesPerSecond: config.feed.clientFramesPerSecond,
    frameBurst: config.feed.clientFrameBurst,
  };
  const accessFor = (listener: Listener, listenerSecure: boolean) =>
    feedAccess({ auth: access.auth, sockets: access.sockets, hub, listener, secure: listenerSecure, allowedHosts: () => access.hosts.names, counted: access.counted });
  const feeds: FeedServer[] = [attachFeed(mainListening.server, { ...feedOptions, authorizeUpgrade: accessFor('main', secure) })];
  if (kioskListening) feeds.push(attachFeed(kioskListening.server, { ...feedOptions, authorizeUpgrade: accessFor('kiosk', false) }));
  let closeReason: string = FEED_CLOSE.shuttingDown.reason;
  parts.add('feeds', () => feeds.forEach((feed) => feed.close(FEED_CLOSE.shuttingDown.code, closeReason)));
  const clientCount = () => feeds.reduce((n, f) => n + f.clientCount, 0);
  feedClients = clientCount;
  health.start();
  parts.add('health', () => health.stop());
  // The Kubernetes node's Ready condition joins the health verdict (null: no cluster or not seen yet).
  const nodeWatch = setInterval(() => health.setCluster(cluster.view ? nodeReadiness(cluster.view.caches.nodes.values()) : null), 5000);
  nodeWatch.unref();
  parts.add('node watch', () => clearInterval(nodeWatch));
  status.start();
  parts.add('status', () => status.stop());

  parts.add('system topic', startSystemTopic(hub, { version, intervalMs: config.feed.systemIntervalMs, clientCount }));
  parts.add('session sweeps', access.startSweeps());
  parts.add('certificate watch', certificate.start(secure ? (mainListening.server as HttpsServer) : undefined));

  access.announceSetup();
  log.info({ url: mainListening.url, kiosk: kioskListening?.url ?? null, home: config.home, version, node: process.versions.node }, 'outpost listening');

  let closing: Promise<void> | undefined;
  return {
    url: mainListening.url,
    port: mainListening.port,
    kioskUrl: kioskListening?.url ?? null,
    hub,
    health,
    cluster,
    status,
    upgrades: agent.verbs,
    upgradesReady: agent.ready,
    agent,
    arrival: agent.verbs,
    uploads,
    support,
    routes: routes.routes,
    feedClientStats: () => feeds.flatMap((f) => f.clientStats()),
    get setupCode() {
      return access.auth.setupOpen ? access.setup.currentCode : null;
    },
    close(reason = FEED_CLOSE.shuttingDown.reason) {
      closeReason = reason;
      closing ??= parts.stopAll((part, error) => log.error({ err: error, part }, 'stopping a part failed'));
      return closing;
    },
  };
}
