// The USB verbs' arguments and results (plain JSON: they cross the agent socket).
import type { StickState } from '../protocol/arrival.ts';

export interface UsbAttachRequest {
  /** Kernel name (`sdb1`, `loop3`). */
  device: string;
  /** `/dev/<device>`. */
  devicePath: string;
  /** Where `attach` mounted it read-only; null when it could not. */
  mountPoint: string | null;
  fsType: string | null;
  label: string | null;
  serial: string | null;
  /** Why it was not mounted (unsupported or damaged filesystem). */
  problem?: { code: string; message: string };
}

export interface UsbAttachResult {
  /** What to write to the stick's root (remounted read-write for that only), or null. */
  write: { json: string; text: string } | null;
  /** The stick asks for a support bundle (`outpost-support` at its root). */
  support: boolean;
}

export interface UsbDetachRequest {
  device: string;
  /** unmounted: `attach` wrote back and unmounted it; removed: the device went away (udev). */
  reason: 'unmounted' | 'removed';
  resultFile?: StickState['resultFile'];
  supportBundle?: StickState['supportBundle'];
}
