// Pure rules of a USB stick's visit: which device names are accepted, the actor its upgrades are
// recorded with, and which bundle files on it become offers (the highest valid sequence per release).
import type { StickBundle, StickState, UsbPolicy } from '../protocol/arrival.ts';

/** Kernel block device names (`sdb1`, `loop3`, `mmcblk0p1`, `nvme0n1p2`): nothing that could climb out of a folder. */
export const DEVICE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
/** Bundle files looked at on one stick (its root and `outpost/`). */
export const MAX_FILES = 64;
/** Where on a stick bundles are looked for, besides its root. */
export const BUNDLE_FOLDER = 'outpost';
/** A file of this name at the stick's root asks for a support bundle. */
export const SUPPORT_MARKER = 'outpost-support';
export const RESULT_JSON = 'outpost-result.json';
export const RESULT_TEXT = 'outpost-result.txt';

export function isDeviceName(name: string): boolean {
  return DEVICE_NAME.test(name);
}

/** `usb:<label or serial>`: what the audit log and the history name as the actor (printable, short). */
export function stickActor(stick: { label: string | null; serial: string | null; device: string }): string {
  const raw = stick.label?.trim() || stick.serial?.trim() || stick.device;
  const clean = raw.replace(/[^\x21-\x7e]/g, '_').slice(0, 48);
  return `usb:${clean}`;
}

export function newStick(input: { device: string; label: string | null; serial: string | null; fsType: string | null }, policy: UsbPolicy, now: number): StickState {
  return {
    device: input.device,
    label: input.label,
    serial: input.serial,
    fsType: input.fsType,
    actor: stickActor(input),
    policy,
    phase: 'found',
    message: 'Stick found',
    attachedAt: now,
    updatedAt: now,
    found: 0,
    checked: 0,
    bundles: [],
    results: [],
    upgradeId: null,
    resultFile: null,
    supportBundle: null,
    removable: false,
    code: null,
  };
}

/**
 * Groups the checked bundles by release, highest sequence first: the first of each group is offered,
 * the next ones are the fallbacks if it fails its full verification. Ties keep file order.
 */
export function candidatesByRelease(bundles: readonly StickBundle[]): Map<string, StickBundle[]> {
  const groups = new Map<string, StickBundle[]>();
  for (const b of bundles) {
    if (b.state !== 'checked' || b.release === null) continue;
    groups.set(b.release, [...(groups.get(b.release) ?? []), b]);
  }
  for (const list of groups.values()) list.sort((a, b) => (b.sequence ?? 0) - (a.sequence ?? 0));
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** The bundle's own code from an offer's refusal (`bundle.member_digest_mismatch: …`), else the error's code. */
export function refusalOf(error: unknown): { code: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const own = /^(bundle\.[a-z_]+): /.exec(message);
  if (own) return { code: own[1]!, message: message.slice(own[0].length) };
  const code = (error as { code?: unknown }).code;
  return { code: typeof code === 'string' ? code : 'internal_error', message };
}
