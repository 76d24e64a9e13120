// Adapter: serves the upgrade verbs on a unix socket (`<home>/agent.sock`, mode 0600 inside the
// 0700 home), so `outpost upgrade …` reaches the running daemon: the same runner, the same journal.
// Whoever can open the socket is the local administrator (root or the outpost user); the actor it
// names is recorded in the audit log. At most 16 connections and 8 streams per connection.
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { isOutpostError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { LineBuffer, parseRequest, STREAM_ARGUMENTS, STREAMING_VERBS, type AgentResponse } from './socket-protocol.ts';
import type { ArrivalAgent } from './arrival-agent.ts';
import type { UpgradeAgent } from './upgrade-agent.ts';

const MAX_CONNECTIONS = 16;
const MAX_STREAMS = 8;

export interface AgentSocketServer {
  readonly path: string;
  close(): Promise<void>;
}

/** Every verb the socket serves. */
export type SocketAgent = UpgradeAgent & ArrivalAgent;

function serve(socket: Socket, agent: SocketAgent, log: Logger): void {
  const lines = new LineBuffer();
  const streams = new Map<number, AbortController>();
  const send = (message: AgentResponse) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
  };
  const fail = (id: number, error: unknown) => {
    if (!isOutpostError(error)) log.error({ err: error }, 'agent socket verb failed');
    send({ id, error: { code: isOutpostError(error) ? error.code : 'internal_error', message: (error as Error).message } });
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    let received: string[];
    try {
      received = lines.push(chunk);
    } catch (error) {
      send({ id: 0, error: { code: 'bad_request', message: (error as Error).message } });
      socket.destroy();
      return;
    }
    for (const line of received) {
      const request = parseRequest(line);
      if (!request) {
        send({ id: 0, error: { code: 'bad_request', message: 'not an agent request' } });
        socket.destroy();
        return;
      }
      if ('cancel' in request) {
        streams.get(request.id)?.abort(new Error('cancelled'));
        continue;
      }
      const { id, verb, args } = request;
      const method = agent[verb] as (...a: unknown[]) => Promise<unknown>;
      if ((STREAMING_VERBS as readonly string[]).includes(verb)) {
        if (streams.size >= MAX_STREAMS) {
          send({ id, error: { code: 'bad_request', message: `at most ${MAX_STREAMS} streams per connection` } });
          continue;
        }
        const controller = new AbortController();
        streams.set(id, controller);
        const emit = (event: unknown) => send({ id, event });
        method
          .call(agent, ...args.slice(0, STREAM_ARGUMENTS[verb as keyof typeof STREAM_ARGUMENTS]), emit, controller.signal)
          .then((result) => send({ id, result: result ?? null }), (error: unknown) => (controller.signal.aborted ? send({ id, result: null }) : fail(id, error)))
          .finally(() => streams.delete(id));
      } else {
        method.call(agent, ...args).then((result) => send({ id, result: result ?? null }), (error: unknown) => fail(id, error));
      }
    }
  });
  const end = () => {
    for (const c of streams.values()) c.abort(new Error('the connection closed'));
    streams.clear();
  };
  socket.on('close', end);
  socket.on('error', end);
}

export function startAgentSocket(path: string, agent: SocketAgent, log: Logger): Promise<AgentSocketServer> {
  // A socket file left by a process that died would make listen() fail with EADDRINUSE.
  rmSync(path, { force: true });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    if (sockets.size >= MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serve(socket, agent, log);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      chmodSync(path, 0o600);
      resolve({
        path,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => {
              rmSync(path, { force: true });
              done();
            });
          }),
      });
    });
  });
}
