// One case of the hostile corpus: a control bundle (forged with `base`) that must pass under the
// case's trust and device state, and the same bundle with exactly one thing changed that must be
// refused with `code` (naming `member` when given).
import type { BundleErrorCode } from '../../daemon/src/bundles/errors.ts';
import type { DeviceState } from '../../daemon/src/bundles/device-policy-pure.ts';
import type { ForgedBundle, ForgeOptions, TrustOptions } from '../fixtures/bundle-forge/forge.ts';

export interface HostileCase {
  name: string;
  code: BundleErrorCode;
  member?: string;
  base?: ForgeOptions;
  trust?: TrustOptions;
  device?: Partial<DeviceState>;
  /** Changes the model before serialization. */
  mutate?: (bundle: ForgedBundle) => void;
  /** Changes the serialized bytes (truncation, corrupt headers). */
  bytes?: (raw: Buffer, bundle: ForgedBundle) => Buffer;
}
