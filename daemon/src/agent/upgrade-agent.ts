// The upgrade verbs of the Agent boundary (DESIGN.md, docs/upgrades.md). Every argument and result
// is plain JSON and progress arrives as events, so the same verbs travel over the agent socket
// (agent/socket-server.ts) as they run in-process.
import type { BundleOffer, BundleSource, ReleaseInfo, UpgradeEvent, UpgradePlan, UpgradeRecord, UpgradeState } from '../protocol/upgrade.ts';
import type { Actor } from './agent.ts';

export interface OfferRequest {
  /** A bundle file the agent can read (the CLI's argument, an upload's spool file, a stick's file). */
  path: string;
  source: BundleSource;
}

export interface OfferResult {
  bundle: BundleOffer;
  plan: UpgradePlan;
  /** The same bundle (same manifest) was already offered: nothing new was staged. */
  alreadyOffered: boolean;
}

/** What an audit record needs; the agent reports, the web side (or the CLI) appends. */
export interface UpgradeAuditEntry {
  actor: Actor;
  action: 'bundle.offer' | 'bundle.delete' | 'upgrade.apply' | 'release.rollback' | 'upgrade.outcome';
  target: string;
  outcome: 'success' | 'failure';
  detail: Record<string, unknown>;
}

export interface UpgradeAgent {
  offerBundle(actor: Actor, request: OfferRequest): Promise<OfferResult>;
  listBundles(): Promise<BundleOffer[]>;
  /** Observes the cluster and containerd again and plans. */
  bundlePlan(id: string): Promise<UpgradePlan>;
  discardBundle(actor: Actor, id: string): Promise<{ deleted: string }>;
  /** Starts the upgrade on the exclusive runner; resolves once its first journal row is written. */
  applyBundle(actor: Actor, id: string): Promise<{ upgradeId: string }>;
  rollbackPlan(release: string): Promise<UpgradePlan>;
  rollbackRelease(actor: Actor, release: string): Promise<{ upgradeId: string }>;
  listReleases(): Promise<ReleaseInfo[]>;
  currentUpgrade(): Promise<UpgradeRecord | null>;
  getUpgrade(id: string): Promise<UpgradeRecord | null>;
  upgradeHistory(query: { limit: number; release?: string }): Promise<UpgradeRecord[]>;
  upgradeState(): Promise<UpgradeState>;
  /** Every change of `id` until it finishes; resolves with the final record. */
  followUpgrade(id: string, onRecord: (record: UpgradeRecord) => void, signal?: AbortSignal): Promise<UpgradeRecord>;
  /** Every upgrade event (for the `upgrade` feed topic) until `signal` aborts. */
  watchUpgrades(onEvent: (event: UpgradeEvent) => void, signal: AbortSignal): Promise<void>;
}
