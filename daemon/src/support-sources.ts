// Composition of the support bundle's sources: the one list of collectors, in archive order, built
// from the real parts by the daemon (main.ts) and by `outpost support-bundle` (cli/support-bundle.ts)
// alike. What only a running daemon has (health history, the verdict, its recent log lines) is
// named as absent in the CLI's bundle.
import os from 'node:os';
import { verifyAllChunked, type AuditLog, type AuditSigner } from './audit/index.ts';
import type { ClusterSupport } from './cluster/index.ts';
import type { Config } from './config/index.ts';
import type { LogRing } from './lib/log-ring.ts';
import { schemaVersion, type Database } from './store/index.ts';
import type { UpgradeStore } from './upgrade/index.ts';
import {
  auditCollector, clusterObjectsCollector, configCollector, containerLogsCollector, daemonLogsCollector, eventsCollector, healthCollector,
  statusCollector, upgradesCollector, versionsCollector,
  type AuditChainState, type ClusterAvailability, type HealthSource, type JournalOptions, type SupportBundleSpec, type SupportCollector, type UpgradesSource,
} from './support/index.ts';

/**
 * The audit chain's state, through the audit capability's own front door: a full walk of the keyed
 * chain (in slices that yield to the event loop) and its head. The only place the support bundle
 * asks the audit log anything. Without the chain's key (a process that may not read it) the state
 * says so instead of guessing.
 */
export async function auditChainState(audit: AuditLog, signer: AuditSigner | null): Promise<AuditChainState> {
  if (!signer) return { verified: false, records: 0, head: null, problem: "the chain's key is not readable by this process, so the chain was not checked" };
  const verdict = await verifyAllChunked(audit, signer);
  return verdict.ok
    ? { verified: true, records: verdict.records, head: verdict.records === 0 ? null : verdict.head }
    : { verified: false, records: verdict.records, head: null, badId: verdict.badId, problem: verdict.problem };
}

export interface SupportSources {
  config: Config;
  version: string;
  db: Database;
  /** The audit chain's state: verified by whoever holds its key (the agent, or the CLI as root). */
  auditChain: () => Promise<AuditChainState>;
  /** The journal as text, read by the agent (the web process may not read the system journal). */
  readJournal?: (signal: AbortSignal) => AsyncIterable<string>;
  cluster: { support: ClusterSupport } | { support: null; reason: string };
  /** The running daemon's parts; null in the CLI. */
  daemon: {
    health: HealthSource;
    verdict: () => unknown;
    recentLogs: LogRing | null;
    setupCode: () => string | null;
  } | null;
  /** The upgrade engine's records (from its tables in the state database). */
  upgrades: UpgradesSource | null;
  /** journalctl options; null to not read the journal (tests). */
  journal?: JournalOptions | null;
  /** Parent of the bundle's private temp folder. */
  spoolDir?: string;
}

const NOT_RUNNING = 'made by `outpost support-bundle` without the daemon: it holds this only in memory (make the bundle from Settings to include it)';

export function supportCollectors(s: SupportSources): SupportCollector[] {
  const cluster: ClusterAvailability = s.cluster.support ? { reader: s.cluster.support.reader } : { reader: null, reason: s.cluster.reason };
  const clusterVersion = s.cluster.support?.version;
  return [
    versionsCollector({ outpost: s.version, schemaVersion: () => schemaVersion(s.db), kubernetes: clusterVersion }),
    configCollector({ config: s.config, file: s.config.configFile }),
    statusCollector(s.daemon ? { source: s.daemon.verdict } : { source: null, reason: NOT_RUNNING }),
    healthCollector(s.daemon ? { source: s.daemon.health } : { source: null, reason: NOT_RUNNING }),
    auditCollector(s.auditChain),
    clusterObjectsCollector(cluster),
    eventsCollector(cluster),
    containerLogsCollector(cluster),
    upgradesCollector(s.upgrades),
    daemonLogsCollector({
      journal: s.journal === undefined ? {} : s.journal,
      ...(s.readJournal ? { read: s.readJournal } : {}),
      recent: s.daemon?.recentLogs ? () => s.daemon!.recentLogs!.lines() : null,
    }),
  ];
}

export function supportBundleSpec(s: SupportSources): SupportBundleSpec {
  return {
    collectors: supportCollectors(s),
    maxBytes: s.config.support.maxBytes,
    hostname: os.hostname(),
    spoolDir: s.spoolDir,
    knownSecrets: () => {
      const known = [s.config.metrics.scrapeToken, s.daemon?.setupCode(), ...(s.cluster.support?.credentials() ?? [])];
      return known.filter((v): v is string => typeof v === 'string');
    },
  };
}

/** The upgrade engine's records for the bundle, read from its tables (the journal of a running upgrade included). */
export function upgradeRecords(store: UpgradeStore): UpgradesSource {
  return {
    releases: () => store.releases(),
    history: () => store.history(500).reverse(),
    journal: () => {
      const running = store.running();
      return running ? [running] : [];
    },
  };
}
