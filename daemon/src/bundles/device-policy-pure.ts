// Anti-rollback and expiry against what the device remembers. Pure: the upgrade engine persists
// the device state and passes it in; the verifier only decides.
import { BundleError } from './errors.ts';
import type { BundleManifest } from './parse-manifest.ts';

export interface DeviceState {
  /** Sequence of the installed bundle; 0 when nothing is installed. */
  installedSequence: number;
  /** Lowest sequence the device still accepts (raised by installed bundles' sequenceFloor). */
  sequenceFloor: number;
  /** Newest `created` of any bundle the device has verified, so a clock set back cannot revive an expired bundle. */
  newestCreatedSeen: Date | null;
  now: Date;
}

export const FRESH_DEVICE: Omit<DeviceState, 'now'> = { installedSequence: 0, sequenceFloor: 0, newestCreatedSeen: null };

export function checkDevicePolicy(manifest: BundleManifest, state: DeviceState): void {
  const member = 'manifest.json';
  if (manifest.sequence <= state.installedSequence) {
    throw new BundleError('bundle.sequence_not_newer', `manifest.json: sequence ${manifest.sequence} is not greater than the installed ${state.installedSequence}`, { member });
  }
  if (manifest.sequence < state.sequenceFloor) {
    throw new BundleError('bundle.sequence_below_floor', `manifest.json: sequence ${manifest.sequence} is below the device's floor ${state.sequenceFloor}`, { member });
  }
  const seen = state.newestCreatedSeen?.getTime() ?? Number.NEGATIVE_INFINITY;
  const reference = Math.max(state.now.getTime(), seen);
  if (Date.parse(manifest.expires) <= reference) {
    const which = seen > state.now.getTime() ? `the newest bundle the device has seen (${new Date(seen).toISOString()}); the clock may be set back` : `the device clock (${state.now.toISOString()})`;
    throw new BundleError('bundle.expired', `manifest.json: expired at ${manifest.expires}, before ${which}`, { member });
  }
}

/** The device state to persist after installing a verified bundle. */
export function deviceStateAfterInstall(manifest: BundleManifest, state: Omit<DeviceState, 'now'>): Omit<DeviceState, 'now'> {
  const created = new Date(manifest.created);
  return {
    installedSequence: manifest.sequence,
    sequenceFloor: Math.max(state.sequenceFloor, manifest.sequenceFloor ?? 0),
    newestCreatedSeen: state.newestCreatedSeen && state.newestCreatedSeen > created ? state.newestCreatedSeen : created,
  };
}
