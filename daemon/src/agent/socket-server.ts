// Adapter: serves the agent's verbs on its unix socket. Before a connection is served the socket
// file is checked (owner, group, mode: socket-trust-pure.ts); every request then goes through
// dispatchVerb, which validates its arguments against the verb table. At most 16 connections and 8
// streams per connection. Socket-activated (systemd hands over fd 3), the agent exits after
// `idleExitMs` with no request in flight and nothing running; it says `bye` first.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { isOutpostError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { dispatchVerb, isStreamingVerb } from './dispatch.ts';
import { AGENT_PID_FILE, LineBuffer, parseRequest, type AgentResponse, type WireError } from './socket-protocol.ts';
import { verbSpec, type AgentVerbs } from './verbs.ts';

const MAX_CONNECTIONS = 16;
const MAX_STREAMS = 8;

export interface AgentSocketServer {
  readonly path: string;
  /** Says `bye` to every connection, stops listening and removes the socket (unless systemd owns it). */
  close(): Promise<void>;
}

export interface AgentSocketOptions {
  verbs: AgentVerbs;
  log: Logger;
  /** A path to bind, or a listening fd handed over by systemd (its path is checked and named). */
  listen: { path: string } | { fd: number; path: string };
  /** Why the socket is not to be trusted now, or null; unset: not checked (the daemon's own home). */
  trust?: () => string | null;
  /** Exit after this long with nothing to do (0: never). */
  idleExitMs?: number;
  /** Work that keeps the agent up although no request is in flight (an upgrade on the runner). */
  busy?: () => boolean;
  onIdle?: () => void;
  /** Write `agent.pid` beside the socket while serving (the web process watches it). */
  pidFile?: boolean;
}

export function wireError(error: unknown): WireError {
  if (isOutpostError(error)) return { code: error.code, message: error.message, ...(error.errors ? { errors: error.errors } : {}) };
  return { code: 'internal_error', message: (error as Error)?.message ?? String(error) };
}

interface ServeState {
  active: number;
  touch(): void;
}

function serve(socket: Socket, options: AgentSocketOptions, state: ServeState): void {
  const { verbs, log } = options;
  const lines = new LineBuffer();
  const streams = new Map<number, AbortController>();
  const send = (message: AgentResponse): Promise<void> | undefined => {
    if (socket.destroyed) return undefined;
    if (socket.write(`${JSON.stringify(message)}\n`)) return undefined;
    return new Promise((resolve) => {
      const done = () => (socket.off('drain', done), socket.off('close', done), resolve());
      socket.on('drain', done);
      socket.on('close', done);
    });
  };
  const refuse = (id: number, error: WireError) => {
    send({ id, error });
    if (id === 0) socket.destroy();
  };
  const run = (id: number, verb: Parameters<typeof dispatchVerb>[1], args: unknown[]) => {
    const counted = verbSpec(verb).passive !== true;
    if (counted) state.active += 1;
    const finish = () => {
      if (counted) state.active -= 1;
      state.touch();
    };
    const fail = (error: unknown) => {
      if (!isOutpostError(error)) log.error({ err: error, verb }, 'an agent verb failed');
      send({ id, error: wireError(error) });
    };
    if (!isStreamingVerb(verb)) {
      dispatchVerb(verbs, verb, args).then((result) => send({ id, result: result ?? null }), fail).finally(finish);
      return;
    }
    if (streams.size >= MAX_STREAMS) {
      finish();
      send({ id, error: { code: 'bad_request', message: `at most ${MAX_STREAMS} streams per connection` } });
      return;
    }
    const controller = new AbortController();
    streams.set(id, controller);
    dispatchVerb(verbs, verb, args, { emit: (event) => send({ id, event }), signal: controller.signal })
      .then((result) => send({ id, result: result ?? null }), (error: unknown) => (controller.signal.aborted ? send({ id, result: null }) : fail(error)))
      .finally(() => {
        streams.delete(id);
        finish();
      });
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    let received: string[];
    try {
      received = lines.push(chunk);
    } catch (error) {
      refuse(0, { code: 'payload_too_large', message: (error as Error).message });
      return;
    }
    for (const line of received) {
      const parsed = parseRequest(line);
      if (!parsed.ok) {
        log.warn({ code: parsed.error.code, message: parsed.error.message }, 'agent socket: request refused');
        refuse(parsed.id, parsed.error);
        if (parsed.id === 0) return;
        continue;
      }
      const request = parsed.request;
      if ('cancel' in request) streams.get(request.id)?.abort(new Error('cancelled'));
      else run(request.id, request.verb, request.args);
    }
  });
  const end = () => {
    for (const c of streams.values()) c.abort(new Error('the connection closed'));
    streams.clear();
  };
  socket.on('close', end);
  socket.on('error', end);
}

export function startAgentSocket(options: AgentSocketOptions): Promise<AgentSocketServer> {
  const { log } = options;
  const socketPath = options.listen.path;
  const owned = !('fd' in options.listen);
  // A socket file left by a process that died would make listen() fail with EADDRINUSE.
  if (owned) rmSync(socketPath, { force: true });
  const sockets = new Set<Socket>();
  const pidFile = path.join(path.dirname(socketPath), AGENT_PID_FILE);
  let idleTimer: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;
  const idleMs = options.idleExitMs ?? 0;
  const state: ServeState = {
    active: 0,
    touch() {
      clearTimeout(idleTimer);
      if (idleMs <= 0 || closing) return;
      idleTimer = setTimeout(() => {
        if (state.active > 0) return;
        if (options.busy?.()) return state.touch();
        log.info({ idleMs }, 'agent idle: exiting until the next request');
        void stop('idle').then(() => options.onIdle?.());
      }, idleMs);
    },
  };
  const server: Server = createServer((socket) => {
    const problem = options.trust?.() ?? null;
    if (problem !== null) {
      log.error({ problem }, 'agent socket: not trusted, refusing the connection');
      socket.end(`${JSON.stringify({ id: 0, error: { code: 'forbidden', message: `the agent refuses to serve: ${problem}` } })}\n`);
      return;
    }
    if (sockets.size >= MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serve(socket, options, state);
  });
  function stop(reason: 'idle' | 'stopping'): Promise<void> {
    return (closing ??= new Promise<void>((done) => {
      clearTimeout(idleTimer);
      for (const s of sockets) s.end(`${JSON.stringify({ id: 0, bye: reason })}\n`);
      const force = setTimeout(() => sockets.forEach((s) => s.destroy()), 1000);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        if (owned) rmSync(socketPath, { force: true });
        if (options.pidFile) rmSync(pidFile, { force: true });
        done();
      });
    }));
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      if (owned) chmodSync(socketPath, 0o600);
      if (options.pidFile) writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o644 });
      state.touch();
      resolve({ path: socketPath, close: () => stop('stopping') });
    };
    if ('fd' in options.listen) server.listen({ fd: options.listen.fd }, listening);
    else server.listen(socketPath, listening);
  });
}
