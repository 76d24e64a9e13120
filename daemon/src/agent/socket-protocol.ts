// The agent socket's wire format (pure): one JSON object per line, both ways. A request names a
// verb of the table in verbs.ts and its arguments; the answer carries the same id with a result or
// an error (stable code, field paths when arguments were refused); streaming verbs send events with
// that id before their answer; `cancel` ends a stream. The agent says `bye` before it closes a
// connection on purpose (idle exit, shutdown). Lines are capped; anything else is a protocol error
// that closes the connection. docs/architecture.md describes it.
import type { ErrorCode } from '../protocol/errors.ts';
import { isAgentVerb, MAX_LINE_BYTES, type AgentVerb } from './verbs.ts';

export { MAX_LINE_BYTES } from './verbs.ts';
export const AGENT_SOCKET_FILE = 'agent.sock';
/** Written beside the socket while an agent runs (its pid): a web process waiting for an idle agent watches it. */
export const AGENT_PID_FILE = 'agent.pid';

export type AgentRequest = { id: number; verb: AgentVerb; args: unknown[] } | { id: number; cancel: true };

export interface WireError {
  code: ErrorCode | string;
  message: string;
  errors?: { path: string; message: string }[];
}

export type AgentResponse = { id: number; result: unknown } | { id: number; error: WireError } | { id: number; event: unknown } | { id: 0; bye: 'idle' | 'stopping' };

export type ParsedLine = { ok: true; request: AgentRequest } | { ok: false; id: number; error: WireError };

/** Parses one request line; an unknown verb is refused with the request's id, anything else unparseable with id 0. */
export function parseRequest(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, id: 0, error: { code: 'bad_request', message: 'not JSON' } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, id: 0, error: { code: 'bad_request', message: 'not an agent request' } };
  const r = value as Record<string, unknown>;
  if (!Number.isSafeInteger(r.id) || (r.id as number) < 1) return { ok: false, id: 0, error: { code: 'bad_request', message: 'a request needs a positive integer id' } };
  const id = r.id as number;
  if (r.cancel === true) return { ok: true, request: { id, cancel: true } };
  if (!isAgentVerb(r.verb)) return { ok: false, id, error: { code: 'bad_request', message: `unknown verb ${JSON.stringify(r.verb).slice(0, 64)}` } };
  if (!Array.isArray(r.args)) return { ok: false, id, error: { code: 'bad_request', message: 'args must be an array' } };
  return { ok: true, request: { id, verb: r.verb, args: r.args } };
}

/** Splits a byte stream into lines, refusing a line longer than the cap. */
export class LineBuffer {
  #pending = '';

  push(chunk: string): string[] {
    this.#pending += chunk;
    const lines = this.#pending.split('\n');
    this.#pending = lines.pop() ?? '';
    if (Buffer.byteLength(this.#pending) > MAX_LINE_BYTES || lines.some((l) => l.length > MAX_LINE_BYTES / 4 && Buffer.byteLength(l) > MAX_LINE_BYTES)) {
      throw new Error(`a line is longer than ${MAX_LINE_BYTES} bytes`);
    }
    return lines.filter((l) => l.trim() !== '');
  }
}
