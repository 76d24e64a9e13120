// Builds the upgrade engine from the config: its own SQLite connection (synchronous = FULL, so a
// journal write survives a power cut), the agent's Kubernetes client (the write identity), containerd
// through `ctr`, the bundle store and the fault points. Part of the agent's composition
// (agent-main.ts), shared with `outpost upgrade` when no agent runs. Agent side: nothing of http/ or feed/.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { ExclusiveRunner, UpgradeAuditEntry } from './agent/index.ts';
import { chooseKubeconfig } from './cluster/kubeconfig.ts';
import type { Config } from './config/index.ts';
import type { Logger } from './lib/logger.ts';
import { readPackageVersion } from './lib/package-info.ts';
import { openDatabase, type Database } from './store/index.ts';
import { BundleStore, connectUpgradeCluster, containerdImageStore, EngineLock, faultInjector, UpgradeService, UpgradeStore, type ClusterPort } from './upgrade/index.ts';

export const K3S_CONTAINERD = '/run/k3s/containerd/containerd.sock';
export const CONTAINERD = '/run/containerd/containerd.sock';
export const K3S_CONTAINERD_ROOT = '/var/lib/rancher/k3s/agent/containerd';
export const CONTAINERD_ROOT = '/var/lib/containerd';

export interface UpgradeHost {
  service: UpgradeService;
  lock: EngineLock;
  db: Database;
  close(): void;
}

export interface UpgradeHostOptions {
  config: Config;
  log: Logger;
  runner: ExclusiveRunner;
  audit(entry: UpgradeAuditEntry): void;
  env?: NodeJS.ProcessEnv;
  /** The agent's cluster client, when the caller already connected it (else connected here). */
  cluster?: AgentCluster;
}

/** The agent's write identity: a lean REST client, or why there is none. */
export interface AgentCluster {
  kube: ClusterPort | null;
  problem: string | null;
}

/**
 * Connects the agent's Kubernetes client: `agent.kubeconfig` (the write identity), else the web's
 * `cluster.kubeconfig`, else the usual discovery (KUBECONFIG, in-cluster, k3s, RKE2, ~/.kube/config).
 */
export async function connectAgentCluster(config: Config, env: NodeJS.ProcessEnv, log: Logger): Promise<AgentCluster> {
  const configured = config.agent.kubeconfig ?? config.cluster.kubeconfig;
  const choice = chooseKubeconfig({ configured, env, homeDir: env.HOME ?? homedir(), exists: (p) => existsSync(p) });
  if (!choice) return { kube: null, problem: 'no kubeconfig found (config agent.kubeconfig, cluster.kubeconfig, KUBECONFIG, in-cluster, k3s, RKE2, ~/.kube/config)' };
  try {
    return { kube: await connectUpgradeCluster(choice.source === 'in-cluster' ? 'in-cluster' : choice.path), problem: null };
  } catch (error) {
    log.error({ err: error }, 'the agent cannot use the kubeconfig');
    return { kube: null, problem: `the kubeconfig from ${choice.source} is unusable: ${(error as Error).message}` };
  }
}

export async function buildUpgradeHost(options: UpgradeHostOptions): Promise<UpgradeHost> {
  const { config, log } = options;
  const env = options.env ?? process.env;
  const db = openDatabase(config.home);
  db.exec('PRAGMA synchronous = FULL');
  const store = new UpgradeStore(db);
  const cluster = options.cluster ?? (await connectAgentCluster(config, env, log));
  const images = containerdImageStore({
    address: config.containerd.address ?? (existsSync(K3S_CONTAINERD) ? K3S_CONTAINERD : CONTAINERD),
    namespace: config.containerd.namespace,
    ctr: config.containerd.ctr,
    root: config.containerd.root ?? (existsSync(K3S_CONTAINERD_ROOT) ? K3S_CONTAINERD_ROOT : CONTAINERD_ROOT),
  });
  const u = config.upgrade;
  const service = new UpgradeService({
    kube: cluster.kube,
    kubeProblem: cluster.problem,
    images,
    bundles: new BundleStore(config.home),
    store,
    outpostVersion: readPackageVersion(),
    now: () => Date.now(),
    settings: { diskReservePercent: u.diskReservePercent, stabilitySeconds: u.stabilitySeconds, timeoutSeconds: u.timeoutSeconds, pollMs: u.pollMs, failingGraceMs: u.failingGraceSeconds * 1000 },
    fault: faultInjector(env.OUTPOST_FAULT),
    runner: options.runner,
    trustDir: u.trustDir ?? path.join(config.home, 'trust'),
    maxOffered: u.maxOffered,
    log: log.child({ module: 'upgrade' }),
    audit: options.audit,
  });
  return { service, lock: new EngineLock(db), db, close: () => db.close() };
}

/**
 * Takes the engine lock (waiting, on the runner, while `outpost upgrade` runs the engine without
 * a daemon: restarts meanwhile get `busy` naming it), then recovers an unfinished upgrade. Resolves
 * when the engine is ready; never rejects (problems are logged).
 */
export async function startEngine(host: UpgradeHost, runner: ExclusiveRunner, log: Logger, holder = 'the daemon', retryMs = 1000): Promise<void> {
  const first = host.lock.acquire(holder);
  try {
    if (!first.ok) {
      log.warn({ holder: first.by }, 'the upgrade engine lock is held; waiting for it');
      await runner.run(
        async (signal) => {
          while (!host.lock.acquire(holder).ok) {
            if (signal.aborted) throw signal.reason as Error;
            await new Promise((r) => setTimeout(r, retryMs));
          }
        },
        { exclusive: true, label: `${first.by.holder} (pid ${first.by.pid}), which holds the upgrade engine` },
      );
    }
    await host.service.start();
  } catch (error) {
    log.error({ err: error }, 'the upgrade engine did not start');
  }
}
