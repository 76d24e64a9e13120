// Adapter: the agent's verbs over its unix socket, one connection per client (the CLI's, and each of
// the web process's connections, agent-link.ts). Built from the verb table, so a new verb needs no
// code here. Every plain call has a deadline; streams end with their answer or when cancelled; a
// bulk stream (the journal) gets a connection of its own and is paused while its consumer is busy.
import { connect, type Socket } from 'node:net';
import { OutpostError } from '../lib/errors.ts';
import { ERROR_CODES, type ErrorCode } from '../protocol/errors.ts';
import { LineBuffer, type AgentResponse, type WireError } from './socket-protocol.ts';
import { AGENT_VERBS, verbSpec, type AgentVerb, type AgentVerbs } from './verbs.ts';

const CALL_TIMEOUT_MS = 10 * 60_000;

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onEvent?: (event: unknown) => void | Promise<void>;
  timer?: NodeJS.Timeout;
}

/** Why a connection ended: the agent said `bye` (idle exit, shutdown), or it broke. */
export interface ClientClosed {
  bye: 'idle' | 'stopping' | null;
  /** Requests that were waiting for an answer when it closed. */
  pending: number;
}

export interface AgentClient extends AgentVerbs {
  readonly path: string;
  /** Resolves once the connection has ended, for whatever reason. */
  readonly closed: Promise<ClientClosed>;
  close(): void;
}

export function errorOf(e: WireError): Error {
  if (!Object.hasOwn(ERROR_CODES, e.code)) return Object.assign(new Error(e.message), { code: e.code });
  return new OutpostError(e.code as ErrorCode, e.message, e.errors ? { errors: e.errors } : {});
}

export function agentUnavailable(why: string, cause?: unknown): OutpostError {
  return new OutpostError('agent_unavailable', `the privileged agent is not available (restarts and upgrades need it): ${why}`, cause === undefined ? {} : { cause });
}

/** Connects, or rejects (ENOENT, ECONNREFUSED, EACCES) when no agent listens there. */
export function connectAgentSocket(path: string, timeoutMs = 2000, dedicated = false): Promise<AgentClient> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(path);
    const timer = setTimeout(() => (socket.destroy(), reject(Object.assign(new Error(`the agent socket ${path} did not answer`), { code: 'ETIMEDOUT' }))), timeoutMs);
    socket.once('error', (error) => (clearTimeout(timer), reject(error)));
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(client(socket, path, dedicated));
    });
  });
}

/** `dedicated`: this connection exists for one bulk stream, which runs on it. */
function client(socket: Socket, path: string, dedicated: boolean): AgentClient {
  const pending = new Map<number, Pending>();
  const lines = new LineBuffer();
  let next = 1;
  let bye: ClientClosed['bye'] = null;
  let refusal: WireError | null = null;
  let markClosed: (c: ClientClosed) => void = () => undefined;
  const closed = new Promise<ClientClosed>((resolve) => (markClosed = resolve));
  const settle = (p: Pending) => {
    clearTimeout(p.timer);
    return p;
  };
  const onMessage = (message: AgentResponse) => {
    if ('bye' in message) {
      bye = message.bye;
      return;
    }
    const p = pending.get(message.id);
    if (message.id === 0 && 'error' in message) refusal = message.error;
    if (!p) return;
    if ('event' in message) {
      const held = p.onEvent?.(message.event);
      // The consumer is busy: stop reading until it is ready (only bulk streams have their own connection).
      if (held instanceof Promise) {
        socket.pause();
        void held.finally(() => socket.resume());
      }
    } else {
      pending.delete(message.id);
      settle(p);
      if ('error' in message) p.reject(errorOf(message.error));
      else p.resolve(message.result);
    }
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    try {
      for (const line of lines.push(chunk)) onMessage(JSON.parse(line) as AgentResponse);
    } catch (error) {
      socket.destroy(error as Error);
    }
  });
  socket.on('close', () => {
    const count = pending.size;
    const why = refusal ? errorOf(refusal) : agentUnavailable(bye ? `it ${bye === 'idle' ? 'went idle' : 'is stopping'}` : 'the connection to it broke (it stopped or restarted)');
    for (const p of pending.values()) settle(p).reject(why);
    pending.clear();
    markClosed({ bye, pending: count });
  });
  socket.on('error', () => undefined);

  const call = (verb: AgentVerb, args: unknown[], onEvent?: (event: unknown) => void | Promise<void>, signal?: AbortSignal): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (socket.destroyed) return reject(agentUnavailable('the connection is closed'));
      const id = next++;
      const entry: Pending = { resolve, reject, ...(onEvent ? { onEvent } : {}) };
      if (!onEvent) entry.timer = setTimeout(() => (pending.delete(id), reject(new Error(`${verb} did not answer in time`))), CALL_TIMEOUT_MS);
      pending.set(id, entry);
      signal?.addEventListener('abort', () => !socket.destroyed && socket.write(`${JSON.stringify({ id, cancel: true })}\n`), { once: true });
      socket.write(`${JSON.stringify({ id, verb, args })}\n`);
    });

  const methods: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const verb of Object.keys(AGENT_VERBS) as AgentVerb[]) {
    const spec = verbSpec(verb);
    if (!spec.stream) methods[verb] = (...args) => call(verb, args);
    else {
      const arity = spec.args.def.items.length;
      methods[verb] = async (...args) => {
        const [onEvent, signal] = [args[arity] as (e: unknown) => void | Promise<void>, args[arity + 1] as AbortSignal | undefined];
        if (!spec.ownConnection || dedicated) return call(verb, args.slice(0, arity), onEvent, signal);
        const own = await connectAgentSocket(path, 2000, true);
        try {
          return await (own[verb] as (...a: unknown[]) => Promise<unknown>)(...args.slice(0, arity), onEvent, signal);
        } finally {
          own.close();
        }
      };
    }
  }
  return Object.assign(methods, {
    path,
    closed,
    close: () => socket.destroy(),
  }) as unknown as AgentClient;
}
