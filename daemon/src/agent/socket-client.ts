// Adapter: the upgrade agent over its unix socket (the CLI's way into a running daemon). Every call
// has a deadline except the streams, which end with the upgrade or when cancelled.
import { connect, type Socket } from 'node:net';
import { OutpostError } from '../lib/errors.ts';
import { ERROR_CODES, type ErrorCode } from '../protocol/errors.ts';
import type { BundleOffer, ReleaseInfo, UpgradeEvent, UpgradePlan, UpgradeRecord, UpgradeState } from '../protocol/upgrade.ts';
import type { Actor } from './agent.ts';
import { LineBuffer, type AgentResponse, type AgentVerb } from './socket-protocol.ts';
import type { OfferRequest, OfferResult, UpgradeAgent } from './upgrade-agent.ts';
import type { ArrivalAgent } from './arrival-agent.ts';
import type { StickState, UsbEvent, UsbState } from '../protocol/arrival.ts';
import type { UsbAttachResult } from '../usb/index.ts';

const CALL_TIMEOUT_MS = 10 * 60_000;

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onEvent?: (event: unknown) => void;
  timer?: NodeJS.Timeout;
}

export interface AgentClient extends UpgradeAgent, ArrivalAgent {
  close(): void;
}

function errorOf(e: { code: string; message: string }): Error {
  return Object.hasOwn(ERROR_CODES, e.code) ? new OutpostError(e.code as ErrorCode, e.message) : Object.assign(new Error(e.message), { code: e.code });
}

/** Connects, or rejects (ENOENT, ECONNREFUSED) when no daemon listens there. */
export function connectAgentSocket(path: string, timeoutMs = 2000): Promise<AgentClient> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(path);
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`the agent socket ${path} did not answer`))), timeoutMs);
    socket.once('error', (error) => (clearTimeout(timer), reject(error)));
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(client(socket));
    });
  });
}

function client(socket: Socket): AgentClient {
  const pending = new Map<number, Pending>();
  const lines = new LineBuffer();
  let next = 1;
  const closeAll = (error: Error) => {
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    pending.clear();
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    for (const line of lines.push(chunk)) {
      const message = JSON.parse(line) as AgentResponse;
      const p = pending.get(message.id);
      if (!p) continue;
      if ('event' in message) p.onEvent?.(message.event);
      else {
        pending.delete(message.id);
        clearTimeout(p.timer);
        if ('error' in message) p.reject(errorOf(message.error));
        else p.resolve(message.result);
      }
    }
  });
  socket.on('close', () => closeAll(new OutpostError('upgrade_unavailable', 'the daemon closed the agent socket (it stopped or restarted)')));
  socket.on('error', (error) => closeAll(error));

  const call = <T>(verb: AgentVerb, args: unknown[], onEvent?: (event: unknown) => void, signal?: AbortSignal): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      const entry: Pending = { resolve: resolve as (v: unknown) => void, reject, ...(onEvent ? { onEvent } : {}) };
      if (!onEvent) entry.timer = setTimeout(() => (pending.delete(id), reject(new Error(`${verb} did not answer in time`))), CALL_TIMEOUT_MS);
      pending.set(id, entry);
      signal?.addEventListener('abort', () => socket.write(`${JSON.stringify({ id, cancel: true })}\n`), { once: true });
      socket.write(`${JSON.stringify({ id, verb, args })}\n`);
    });

  return {
    offerBundle: (actor: Actor, request: OfferRequest) => call<OfferResult>('offerBundle', [actor, request]),
    listBundles: () => call<BundleOffer[]>('listBundles', []),
    bundlePlan: (id: string) => call<UpgradePlan>('bundlePlan', [id]),
    discardBundle: (actor: Actor, id: string) => call<{ deleted: string }>('discardBundle', [actor, id]),
    applyBundle: (actor: Actor, id: string) => call<{ upgradeId: string }>('applyBundle', [actor, id]),
    rollbackPlan: (release: string) => call<UpgradePlan>('rollbackPlan', [release]),
    rollbackRelease: (actor: Actor, release: string) => call<{ upgradeId: string }>('rollbackRelease', [actor, release]),
    listReleases: () => call<ReleaseInfo[]>('listReleases', []),
    currentUpgrade: () => call<UpgradeRecord | null>('currentUpgrade', []),
    getUpgrade: (id: string) => call<UpgradeRecord | null>('getUpgrade', [id]),
    upgradeHistory: (query: { limit: number; release?: string }) => call<UpgradeRecord[]>('upgradeHistory', [query]),
    upgradeState: () => call<UpgradeState>('upgradeState', []),
    followUpgrade: (id: string, onRecord: (r: UpgradeRecord) => void, signal?: AbortSignal) => call<UpgradeRecord>('followUpgrade', [id], (e) => onRecord(e as UpgradeRecord), signal),
    watchUpgrades: (onEvent: (e: UpgradeEvent) => void, signal: AbortSignal) => call<void>('watchUpgrades', [], (e) => onEvent(e as UpgradeEvent), signal),
    offerUpload: (actor, request) => call<OfferResult>('offerUpload', [actor, request]),
    usbAttach: (request, onState, signal) => call<UsbAttachResult>('usbAttach', [request], (e) => onState(e as StickState), signal),
    usbDetach: (request) => call<{ device: string; known: boolean }>('usbDetach', [request]),
    usbState: () => call<UsbState>('usbState', []),
    watchUsb: (onEvent, signal) => call<void>('watchUsb', [], (e) => onEvent(e as UsbEvent), signal),
    close: () => socket.destroy(),
  };
}
