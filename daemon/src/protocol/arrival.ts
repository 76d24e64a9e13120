// Bundles arriving (docs/uploads-and-usb.md): browser uploads (tus 1.0.0 at /api/v1/uploads) and USB
// sticks (the `usb` feed topic). Pure; shared by the daemon, the agent socket and the UI.

/** One upload as `GET /api/v1/uploads[/{id}]` answers (the tus protocol itself is HEAD/PATCH). */
export interface UploadStatus {
  id: string;
  /** receiving: bytes still to come; verifying: the agent checks and stages it; then offered or refused. */
  state: 'receiving' | 'verifying' | 'offered' | 'refused';
  fileName: string;
  size: number;
  offset: number;
  createdAt: number;
  /** Unix ms after which an incomplete upload is deleted. */
  expiresAt: number;
  by: string;
  /** When offered: the bundle to plan and apply. */
  bundle: { id: string; name: string; version: string; blocking: number } | null;
  /** When refused: the stable code (the bundle's own, e.g. `bundle.signature_invalid`, when it has one). */
  error: { code: string; message: string } | null;
}

export type UsbPolicy = 'auto' | 'confirm' | 'off';
export const USB_POLICIES: readonly UsbPolicy[] = ['auto', 'confirm', 'off'];

/**
 * A stick's story, in order: found (mounted read-only) → verifying n of N → planned → applying
 * (the `upgrade` topic has phase and percent) → writing the result → done ("You may remove the
 * stick"). `failed` is a stick that cannot be used (unreadable, removed while read).
 */
export type StickPhase = 'found' | 'verifying' | 'planned' | 'waiting' | 'applying' | 'writing' | 'done' | 'failed';

/** What became of one bundle file on the stick. */
export interface StickBundle {
  /** Path relative to the stick's root (`app.outpost`, `outpost/app.outpost`). */
  file: string;
  bytes: number;
  release: string | null;
  version: string | null;
  sequence: number | null;
  /**
   * pending → checked (signature and manifest) → offered; refused (bad signature, not newer, damaged);
   * superseded (another file of the same release has a higher sequence).
   */
  state: 'pending' | 'checked' | 'verifying' | 'offered' | 'refused' | 'superseded';
  code: string | null;
  message: string | null;
  bundleId: string | null;
}

/** The end of one release's story on this stick (also written to `outpost-result.json`). */
export interface StickResult {
  release: string;
  file: string;
  fromVersion: string | null;
  toVersion: string;
  sequence: number;
  /** committed / rolled_back / failed: the upgrade ran; offered: waits for an operator; refused: never applied. */
  outcome: 'committed' | 'rolled_back' | 'failed' | 'refused' | 'offered';
  code: string | null;
  reasons: string[];
  bundleId: string | null;
  upgradeId: string | null;
  startedAt: number;
  finishedAt: number;
}

export interface StickState {
  /** Kernel name: `sdb1`, `loop3`. */
  device: string;
  label: string | null;
  serial: string | null;
  fsType: string | null;
  /** The actor its upgrades are recorded with: `usb:<label or serial>`. */
  actor: string;
  policy: UsbPolicy;
  phase: StickPhase;
  /** One line for the screen: what happens now, or why it failed. */
  message: string;
  attachedAt: number;
  updatedAt: number;
  /** Bundle files found (N) and how many were checked so far (n). */
  found: number;
  checked: number;
  bundles: StickBundle[];
  results: StickResult[];
  /** The upgrade running for this stick (its progress is on the `upgrade` topic). */
  upgradeId: string | null;
  /** Writing `outpost-result.json` back: null until tried. */
  resultFile: { written: boolean; message: string } | null;
  /** A support bundle was asked for (`outpost-support` on the stick): null when not asked. */
  supportBundle: { written: boolean; message: string } | null;
  /** Unmounted: "You may remove the stick". */
  removable: boolean;
  /** Error code when failed (`usb.unreadable`, `usb.removed_early`, …). */
  code: string | null;
}

export interface UsbState {
  policy: UsbPolicy;
  /** Sticks present (and the last one removed while it was being read, so the screen can say so). */
  sticks: StickState[];
}

export type UsbEvent = { kind: 'usb.state.v1'; state: UsbState } | { kind: 'usb.stick.v1'; stick: StickState } | { kind: 'usb.gone.v1'; device: string };

/** Sticks kept on the topic at once (several may be plugged in; removed ones leave). */
export const MAX_STICKS = 8;

export function initialUsbState(policy: UsbPolicy = 'auto'): UsbState {
  return { policy, sticks: [] };
}

export function reduceUsb(state: UsbState, event: UsbEvent): UsbState {
  switch (event.kind) {
    case 'usb.state.v1':
      return event.state;
    case 'usb.stick.v1': {
      const others = state.sticks.filter((s) => s.device !== event.stick.device);
      return { ...state, sticks: [...others, event.stick].sort((a, b) => a.attachedAt - b.attachedAt).slice(-MAX_STICKS) };
    }
    case 'usb.gone.v1':
      return { ...state, sticks: state.sticks.filter((s) => s.device !== event.device) };
  }
}

/** USB error codes, in the stick's state, the result file and the audit log (docs/errors.md). */
export const USB_CODES = [
  'usb.unsupported_filesystem',
  'usb.unreadable',
  'usb.removed_early',
  'usb.no_bundle',
  'usb.policy_off',
  'usb.result_not_written',
  'usb.agent_unavailable',
] as const;
export type UsbCode = (typeof USB_CODES)[number];
