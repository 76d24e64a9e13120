// Collectors for what the device knows about itself: the configuration (redacted), the audit
// chain's state, the device verdict, node health and its history, and the upgrade engine's
// history and journal. Each takes its source as a function, so the same collector serves the
// daemon and the CLI; a source that is absent is named with the reason.
import { redactConfig } from '../redact-pure.ts';
import type { SupportCollector } from '../types.ts';

export function configCollector(source: { config: unknown; file: string | null }): SupportCollector {
  return {
    section: 'config',
    title: 'the effective configuration (defaults, file, environment, flags merged), secrets redacted',
    share: 0.01,
    deadlineMs: 5000,
    async collect(out) {
      await out.json('effective.json', { file: source.file, config: redactConfig(source.config) });
    },
  };
}

/** The audit chain as its capability reports it: never the records themselves. */
export interface AuditChainState {
  verified: boolean;
  records: number;
  head: string | null;
  /** When the chain is broken: the first record that does not fit, and how. */
  badId?: number;
  problem?: string;
}

export function auditCollector(state: () => AuditChainState | Promise<AuditChainState>): SupportCollector {
  return {
    section: 'audit',
    title: 'the audit chain state (verified, length, head); not the records',
    share: 0.01,
    deadlineMs: 30_000,
    async collect(out) {
      await out.json('chain.json', await state());
    },
  };
}

/** What only a running daemon holds in memory; null with a reason in the CLI. */
export type Live<T> = { source: T } | { source: null; reason: string };

export interface HealthSource {
  /** The latest sample, evaluation and tiers (no history). */
  snapshot(): unknown;
  /** The bounded history at full resolution: `1h` (1 s) or `24h` (1 min). */
  history(range: '1h' | '24h'): unknown;
}

export function statusCollector(verdict: Live<() => unknown>): SupportCollector {
  return {
    section: 'status',
    title: 'the device verdict with every reason',
    share: 0.01,
    deadlineMs: 5000,
    async collect(out) {
      if (!verdict.source) return out.skip('verdict.json', verdict.reason);
      await out.json('verdict.json', verdict.source());
    },
  };
}

export function healthCollector(health: Live<HealthSource>): SupportCollector {
  return {
    section: 'health',
    title: 'node health now and its history (last hour at 1 s, last 24 h at 1 min)',
    share: 0.05,
    deadlineMs: 15_000,
    async collect(out) {
      if (!health.source) return out.skip('*', health.reason);
      await out.json('now.json', health.source.snapshot());
      await out.json('history-1h.json', health.source.history('1h'));
      await out.json('history-24h.json', health.source.history('24h'));
    },
  };
}

/** The upgrade engine's records (its front door provides them); absent until the engine exists. */
export interface UpgradesSource {
  /** Installed releases and their state. */
  releases(): unknown;
  /** Past upgrades, oldest first. */
  history(): Iterable<unknown> | AsyncIterable<unknown>;
  /** The transition journal, oldest first. */
  journal(): Iterable<unknown> | AsyncIterable<unknown>;
}

export function upgradesCollector(upgrades: UpgradesSource | null): SupportCollector {
  return {
    section: 'upgrades',
    title: 'installed releases, upgrade history and the upgrade journal',
    share: 0.05,
    deadlineMs: 30_000,
    async collect(out) {
      if (!upgrades) return out.skip('*', 'the upgrade records were not available to this process');
      await out.json('releases.json', await upgrades.releases());
      await out.jsonLines('history.jsonl', upgrades.history());
      await out.jsonLines('journal.jsonl', upgrades.journal());
    },
  };
}
