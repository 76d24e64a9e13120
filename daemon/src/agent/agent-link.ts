// Adapter: the web process's way to its agent over the socket — the agent's verbs, on one
// connection made on demand and made again when it breaks (capped backoff). Its state tells the
// device verdict whether the agent is there:
//   starting  never connected yet (the first seconds after start): not a fault
//   up        connected
//   idle      a socket-activated agent said `bye: idle` and exited: not a fault; nothing reconnects
//             until a verb is called or the agent's pid file shows that something else started it
//   down      the connection broke or cannot be made: a fault, retried with backoff
// A call that meets an agent just going idle is sent again once (the agent had not read it).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { OutpostError } from '../lib/errors.ts';
import { backoffMs, sleep, type BackoffPolicy } from '../lib/backoff.ts';
import type { Logger } from '../lib/logger.ts';
import { agentUnavailable, connectAgentSocket, type AgentClient } from './socket-client.ts';
import { AGENT_PID_FILE } from './socket-protocol.ts';
import { AGENT_VERBS, type AgentVerb, type AgentVerbs } from './verbs.ts';

export type AgentLinkPhase = 'starting' | 'up' | 'idle' | 'down';

export interface AgentLinkState {
  phase: AgentLinkPhase;
  since: number;
  lastError: string | null;
}

export interface AgentLink extends AgentVerbs {
  readonly state: AgentLinkState;
  /** Resolves once connected (idle: once something else started the agent); never rejects. */
  whenUp(signal: AbortSignal): Promise<void>;
  onChange(listener: (state: AgentLinkState) => void): () => void;
  close(): void;
}

export interface AgentLinkOptions {
  socket: string;
  log: Logger;
  backoff?: BackoffPolicy;
  /** How often an idle agent's pid file is looked for. */
  idlePollMs?: number;
  now?: () => number;
}

export function agentLink(options: AgentLinkOptions): AgentLink {
  const { socket, log } = options;
  const now = options.now ?? Date.now;
  const policy = options.backoff ?? { baseMs: 250, maxMs: 5000 };
  const pidFile = path.join(path.dirname(socket), AGENT_PID_FILE);
  const stopped = new AbortController();
  const listeners = new Set<(s: AgentLinkState) => void>();
  let state: AgentLinkState = { phase: 'starting', since: now(), lastError: null };
  let client: AgentClient | null = null;
  let connecting: Promise<AgentClient> | null = null;
  let retrying = false;
  const waiters = new Set<() => void>();

  const setState = (phase: AgentLinkPhase, lastError: string | null) => {
    if (state.phase === phase && state.lastError === lastError) return;
    if (phase === 'down' && state.phase !== 'down') log.error({ socket, error: lastError }, 'the agent is not available');
    if (phase === 'up' && state.phase !== 'up') log.info({ socket }, 'connected to the agent');
    state = { phase, since: state.phase === phase ? state.since : now(), lastError };
    for (const l of listeners) l(state);
    if (phase === 'up') for (const w of [...waiters]) w();
  };

  const connectOnce = (): Promise<AgentClient> =>
    (connecting ??= connectAgentSocket(socket)
      .then((c) => {
        client = c;
        setState('up', null);
        void c.closed.then((info) => {
          if (client === c) client = null;
          if (stopped.signal.aborted) return;
          if (info.bye === 'idle') setState('idle', null);
          else {
            setState('down', info.bye === 'stopping' ? 'the agent stopped' : 'the connection to the agent broke');
            retry();
          }
        });
        return c;
      })
      .catch((error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? `no agent socket at ${socket}` : code === 'ECONNREFUSED' ? `nothing listens on ${socket}` : (error as Error).message;
        if (state.phase !== 'starting') setState('down', why);
        else state = { ...state, lastError: why };
        throw agentUnavailable(why, error);
      })
      .finally(() => (connecting = null)));

  /** Reconnects with backoff until up (or idle, or stopped). */
  function retry(): void {
    if (retrying) return;
    retrying = true;
    void (async () => {
      for (let attempt = 0; !stopped.signal.aborted && !client && state.phase !== 'idle'; attempt += 1) {
        await sleep(backoffMs(attempt, policy), stopped.signal);
        if (stopped.signal.aborted || client) break;
        await connectOnce().catch(() => undefined);
      }
      retrying = false;
    })();
  }

  // Idle: look for the pid file of an agent that something else (the CLI, udev) started.
  const idlePoll = setInterval(() => {
    if (state.phase === 'idle' && !connecting && existsSync(pidFile)) void connectOnce().catch(() => undefined);
  }, options.idlePollMs ?? 2000);
  idlePoll.unref();

  const connection = async (): Promise<AgentClient> => {
    if (stopped.signal.aborted) throw agentUnavailable('the web process is stopping');
    return client ?? (await connectOnce());
  };

  const invoke = async (verb: AgentVerb, args: unknown[]): Promise<unknown> => {
    for (let attempt = 0; ; attempt += 1) {
      const c = await connection();
      try {
        return await (c[verb] as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (error) {
        const idled = error instanceof OutpostError && error.code === 'agent_unavailable' && (await c.closed.then((i) => i.bye === 'idle'));
        if (!idled || attempt > 0) throw error;
      }
    }
  };

  const methods: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const verb of Object.keys(AGENT_VERBS) as AgentVerb[]) methods[verb] = (...args) => invoke(verb, args);

  void connectOnce().catch(() => retry());
  // At start the agent may still be coming up: "starting" turns into "down" only after a grace.
  const grace = setTimeout(() => state.phase === 'starting' && setState('down', state.lastError ?? 'the agent has not answered since the web process started'), 10_000);
  grace.unref();

  // The getter stays a getter on the object returned (Object.assign would copy its value once).
  const api = {
    get state() {
      return state;
    },
    whenUp(signal: AbortSignal): Promise<void> {
      if (state.phase === 'up' || signal.aborted) return Promise.resolve();
      if (state.phase !== 'idle') retry();
      return new Promise<void>((resolve) => {
        const done = () => {
          waiters.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        waiters.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    },
    onChange(listener: (s: AgentLinkState) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      stopped.abort();
      clearInterval(idlePoll);
      clearTimeout(grace);
      client?.close();
      for (const w of [...waiters]) w();
    },
  };
  return Object.assign(api, methods) as unknown as AgentLink;
}
