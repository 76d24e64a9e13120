import { describe, expect, it } from 'vitest';
import { checkDevicePolicy, deviceStateAfterInstall, type DeviceState } from '../../../daemon/src/bundles/device-policy-pure.ts';
import type { BundleManifest } from '../../../daemon/src/bundles/parse-manifest.ts';

const manifest = { sequence: 10, sequenceFloor: 8, created: '2026-05-01T00:00:00Z', expires: '2027-05-01T00:00:00Z' } as BundleManifest;
const device: DeviceState = { installedSequence: 9, sequenceFloor: 5, newestCreatedSeen: new Date('2026-04-01T00:00:00Z'), now: new Date('2026-06-01T00:00:00Z') };
const codeFor = (state: Partial<DeviceState>, m: Partial<BundleManifest> = {}) => {
  try {
    checkDevicePolicy({ ...manifest, ...m }, { ...device, ...state });
    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('device policy', () => {
  it('accepts a newer, unexpired bundle', () => expect(codeFor({})).toBe('ok'));
  it('refuses an equal or lower sequence', () => {
    expect(codeFor({ installedSequence: 10 })).toBe('bundle.sequence_not_newer');
    expect(codeFor({ installedSequence: 11 })).toBe('bundle.sequence_not_newer');
  });
  it('refuses a sequence below the floor', () => expect(codeFor({ installedSequence: 0, sequenceFloor: 11 })).toBe('bundle.sequence_below_floor'));
  it('checks expiry against the later of the clock and the newest creation seen', () => {
    expect(codeFor({ now: new Date('2027-05-01T00:00:00Z') })).toBe('bundle.expired');
    expect(codeFor({ now: new Date('2020-01-01T00:00:00Z'), newestCreatedSeen: new Date('2027-06-01T00:00:00Z') })).toBe('bundle.expired');
    expect(codeFor({ now: new Date('2020-01-01T00:00:00Z'), newestCreatedSeen: null })).toBe('ok');
  });
  it('raises the floor and remembers the newest creation after an install', () => {
    expect(deviceStateAfterInstall(manifest, device)).toEqual({ installedSequence: 10, sequenceFloor: 8, newestCreatedSeen: new Date('2026-05-01T00:00:00Z') });
    expect(deviceStateAfterInstall({ ...manifest, sequenceFloor: undefined }, { ...device, sequenceFloor: 9, newestCreatedSeen: new Date('2030-01-01T00:00:00Z') })).toEqual({
      installedSequence: 10,
      sequenceFloor: 9,
      newestCreatedSeen: new Date('2030-01-01T00:00:00Z'),
    });
  });
});
