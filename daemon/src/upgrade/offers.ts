// Offering a bundle: verify it in one pass into the agent's own staging (signature first, the
// release's anti-rollback state, fsynced), move it into place under its id, record it, plan it.
// Offering the same bundle again returns the existing offer.
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { isBundleError, loadTrust, verifyBundleFile, type BundleManifest, type DeviceState, type TrustPolicy } from '../bundles/index.ts';
import { OutpostError } from '../lib/errors.ts';
import type { BundleSource } from '../protocol/upgrade.ts';
import type { BundleStore } from './bundle-store.ts';
import type { UpgradeStore } from './journal.ts';

export interface OfferDeps {
  store: UpgradeStore;
  bundles: BundleStore;
  trustDir: string;
  maxOffered: number;
  now(): number;
  fault(point: string): void;
}

export async function loadTrustOrRefuse(trustDir: string): Promise<TrustPolicy> {
  try {
    return await loadTrust(trustDir);
  } catch (error) {
    if (isBundleError(error)) throw new OutpostError('bundle_refused', `${error.code}: ${error.message} (trust folder ${trustDir})`, { cause: error });
    throw error;
  }
}

/** The anti-rollback state of the bundle's own release (per name). */
export function deviceStateFor(store: UpgradeStore, manifest: BundleManifest, now: number): DeviceState {
  const release = store.release(manifest.name);
  const seen = store.newestCreatedSeen();
  return { installedSequence: release?.version ? release.sequence : 0, sequenceFloor: release?.floor ?? 0, newestCreatedSeen: seen === null ? null : new Date(seen), now: new Date(now) };
}

export function bundleIdOf(manifestBytes: Uint8Array): string {
  return createHash('sha256').update(manifestBytes).digest('hex').slice(0, 16);
}

/** Verifies and stages; returns the id and whether it was new. Throws `bundle_refused` with the bundle's own code. */
export async function stageOffer(deps: OfferDeps, path: string, source: BundleSource, offeredBy: string, signal?: AbortSignal): Promise<{ id: string; isNew: boolean }> {
  if (deps.store.bundles('offered').length >= deps.maxOffered) {
    throw new OutpostError('too_many_bundles', `${deps.maxOffered} bundles are offered already; delete one first`);
  }
  const trust = await loadTrustOrRefuse(deps.trustDir);
  await deps.bundles.ensure();
  let verified;
  try {
    verified = await verifyBundleFile(path, { trust, device: (m) => deviceStateFor(deps.store, m, deps.now()), stageTo: deps.bundles.incoming, durable: true, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (isBundleError(error)) throw new OutpostError('bundle_refused', `${error.code}: ${error.message}`, { cause: error, errors: [{ path: error.member ?? 'bundle', message: error.code }] });
    throw error;
  }
  const id = bundleIdOf(verified.manifestBytes);
  const staging = verified.stagingDir as string;
  if (deps.store.bundle(id)) {
    await rm(staging, { recursive: true, force: true });
    return { id, isNew: false };
  }
  deps.fault('offer.staged');
  await deps.bundles.adopt(staging, id);
  const m = verified.manifest;
  deps.store.insertOffer({ id, name: m.name, version: m.version, sequence: m.sequence, source, manifest: m, signers: verified.signers, bytes: verified.bytes, offeredAt: deps.now(), offeredBy, blocking: [] });
  return { id, isNew: true };
}
