// The verbs by which bundles arrive (docs/uploads-and-usb.md), beside the upgrade verbs: an upload the
// web process has spooled, and USB sticks that `outpost usb attach` (root, its own unit) mounted.
// Plain JSON in and out, so they travel over the agent socket like the upgrade verbs. The agent
// re-checks what it is handed: an upload is named by its id only (the agent finds it in the spool
// folder it knows), a stick's mount point must be its device mounted read-only, nosuid, nodev, noexec.
import path from 'node:path';
import { OutpostError } from '../lib/errors.ts';
import type { StickState, UsbEvent, UsbState } from '../protocol/arrival.ts';
import type { UsbAttachRequest, UsbAttachResult, UsbDetachRequest } from '../usb/index.ts';
import type { Actor } from './agent.ts';
import type { OfferResult, UpgradeAgent } from './upgrade-agent.ts';

export const UPLOAD_ID = /^[0-9a-f]{32}$/;

export interface ArrivalAgent {
  /** Verifies (signature first) and stages a finished upload from the web process's spool; source `upload`. */
  offerUpload(actor: Actor, request: { id: string }): Promise<OfferResult>;
  /** Works through a mounted stick (streaming its state); resolves with what to write back to it. */
  usbAttach(request: UsbAttachRequest, onState: (stick: StickState) => void, signal?: AbortSignal): Promise<UsbAttachResult>;
  usbDetach(request: UsbDetachRequest): Promise<{ device: string; known: boolean }>;
  usbState(): Promise<UsbState>;
  /** Every USB event (for the `usb` feed topic) until `signal` aborts. */
  watchUsb(onEvent: (event: UsbEvent) => void, signal: AbortSignal): Promise<void>;
}

export interface ArrivalAgentDeps {
  upgrades: Pick<UpgradeAgent, 'offerBundle'>;
  usb: Omit<ArrivalAgent, 'offerUpload'>;
  /** The web process's upload spool (config `uploads.spoolDir`). */
  spoolDir: string;
}

export function arrivalAgent(deps: ArrivalAgentDeps): ArrivalAgent {
  return {
    offerUpload(actor, request) {
      if (!UPLOAD_ID.test(String(request?.id))) return Promise.reject(new OutpostError('upload_not_found', 'not an upload id'));
      return deps.upgrades.offerBundle(actor, { path: path.join(deps.spoolDir, request.id), source: 'upload' });
    },
    usbAttach: (request, onState, signal) => deps.usb.usbAttach(request, onState, signal),
    usbDetach: (request) => deps.usb.usbDetach(request),
    usbState: () => deps.usb.usbState(),
    watchUsb: (onEvent, signal) => deps.usb.watchUsb(onEvent, signal),
  };
}
