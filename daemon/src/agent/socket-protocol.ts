// The agent socket's wire format (pure): one JSON object per line, both ways. A request names a
// verb of the upgrade agent and its arguments; the answer carries the same id with a result or an
// error (stable code); streaming verbs send events with that id before their answer; `cancel` ends
// a stream. Lines are capped; anything else is a protocol error that closes the connection.
import type { ErrorCode } from '../protocol/errors.ts';

export const AGENT_SOCKET_FILE = 'agent.sock';
export const MAX_LINE_BYTES = 1 << 20;

/** Verbs whose last argument is a callback: the socket turns it into `event` lines. */
export const STREAMING_VERBS = ['followUpgrade', 'watchUpgrades', 'usbAttach', 'watchUsb'] as const;
/** How many plain arguments a streaming verb takes before its callback and signal. */
export const STREAM_ARGUMENTS: Record<(typeof STREAMING_VERBS)[number], number> = { followUpgrade: 1, watchUpgrades: 0, usbAttach: 1, watchUsb: 0 };
export const PLAIN_VERBS = [
  'offerBundle',
  'listBundles',
  'bundlePlan',
  'discardBundle',
  'applyBundle',
  'rollbackPlan',
  'rollbackRelease',
  'listReleases',
  'currentUpgrade',
  'getUpgrade',
  'upgradeHistory',
  'upgradeState',
  // Bundles arriving (agent/arrival-agent.ts): an upload's spool file, USB sticks.
  'offerUpload',
  'usbDetach',
  'usbState',
] as const;
export type AgentVerb = (typeof PLAIN_VERBS)[number] | (typeof STREAMING_VERBS)[number];

export type AgentRequest = { id: number; verb: AgentVerb; args: unknown[] } | { id: number; cancel: true };

export type AgentResponse =
  | { id: number; result: unknown }
  | { id: number; error: { code: ErrorCode | string; message: string } }
  | { id: number; event: unknown };

export function isVerb(value: unknown): value is AgentVerb {
  return typeof value === 'string' && ((PLAIN_VERBS as readonly string[]).includes(value) || (STREAMING_VERBS as readonly string[]).includes(value));
}

/** Parses one request line; null when it is not a request. */
export function parseRequest(line: string): AgentRequest | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  if (!Number.isSafeInteger(r.id)) return null;
  if (r.cancel === true) return { id: r.id as number, cancel: true };
  if (!isVerb(r.verb) || !Array.isArray(r.args) || r.args.length > 4) return null;
  return { id: r.id as number, verb: r.verb, args: r.args };
}

/** Splits a byte stream into lines, refusing a line longer than the cap. */
export class LineBuffer {
  #pending = '';

  push(chunk: string): string[] {
    this.#pending += chunk;
    const lines = this.#pending.split('\n');
    this.#pending = lines.pop() ?? '';
    if (Buffer.byteLength(this.#pending) > MAX_LINE_BYTES) throw new Error(`a line is longer than ${MAX_LINE_BYTES} bytes`);
    return lines.filter((l) => l.trim() !== '');
  }
}
