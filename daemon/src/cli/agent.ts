// `outpost agent`: the privileged agent (docs/architecture.md). Under systemd it is socket-activated
// (outpost-agent.socket hands over fd 3: LISTEN_FDS/LISTEN_PID) and exits after agent.idleExitSeconds
// with nothing to do; as `serve --with-agent`'s child it listens on agent.socket itself and exits when
// the web process goes. SIGTERM/SIGINT: says bye to its clients, stops the lane (a running upgrade
// resumes from its journal at the next start) and exits.
import { parseArgs } from 'node:util';
import { socketRules, socketTrustCheck, startAgentSocket } from '../agent/index.ts';
import { composeAgent } from '../agent-main.ts';
import { createLogger } from '../lib/logger.ts';
import { loadConfigOrReport } from './load-config.ts';

export const agentHelp = `usage: outpost agent [--config FILE] [--home DIR] [--socket PATH] [--log-level LEVEL]

Runs the privileged agent: restarts, bundles and upgrades, and the audit chain's key, served to the
web process (and to this command's other verbs) on a unix socket. Started by systemd through
outpost-agent.socket (fd 3), or by \`outpost serve --with-agent\`, or by hand; the socket is
agent.socket (default $OUTPOST_HOME/agent.sock; a device: /run/outpost/agent.sock).`;

/** The listening fd systemd passed (sd_listen_fds), or null. */
function activationFd(env: NodeJS.ProcessEnv): number | null {
  if (env.LISTEN_PID !== String(process.pid) || Number(env.LISTEN_FDS ?? 0) < 1) return null;
  // Not inherited by anything this process starts (journalctl, ctr).
  for (const name of ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES']) delete env[name];
  return 3;
}

export async function agentCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, home: { type: 'string' }, socket: { type: 'string' }, 'log-level': { type: 'string' } },
    strict: true,
  });
  if (values.socket) process.env.OUTPOST_AGENT_SOCKET = values.socket;
  const config = loadConfigOrReport({ config: values.config, home: values.home, 'log-level': values['log-level'] });
  if (!config) return 2;
  // Everything the agent creates is its own: the audit key, staged bundles, its socket.
  process.umask(0o077);
  const log = createLogger(config.log.level).child({ process: 'agent' });
  const fd = activationFd(process.env);
  const socketPath = config.agent.socket;
  let parts;
  try {
    parts = await composeAgent(config, log);
  } catch (error) {
    log.error({ err: error }, 'the agent cannot start');
    log.flush();
    process.stderr.write(`outpost agent: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  const agent = parts;
  let done: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (done = resolve));
  let stopping = false;
  const stop = async (why: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'agent stopping');
    const force = setTimeout(() => done(1), config.shutdownTimeoutMs + 10_000);
    force.unref();
    await server.close().catch((error: unknown) => log.error({ err: error }, 'closing the agent socket failed'));
    await agent.close().catch((error: unknown) => log.error({ err: error }, 'stopping the agent failed'));
    clearTimeout(force);
    log.info('agent stopped');
    log.flush();
    // The IPC channel to a parent would keep this process alive.
    if (process.connected) process.disconnect();
    done(code);
  };
  const server = await startAgentSocket({
    verbs: agent.verbs,
    log: log.child({ module: 'agent-socket' }),
    listen: fd === null ? { path: socketPath } : { fd, path: socketPath },
    trust: socketTrustCheck(socketPath, socketRules(config.agent.socketGroup)),
    idleExitMs: fd === null ? 0 : config.agent.idleExitSeconds * 1000,
    busy: () => agent.runner.busy || agent.runner.queued > 0,
    onIdle: () => void stop('idle'),
    pidFile: true,
  });
  log.info({ socket: socketPath, activated: fd !== null, pid: process.pid }, 'agent listening');
  process.stderr.write(`outpost agent: listening on ${socketPath}\n`);
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  // A child of `serve --with-agent`: the web process went away, so does the agent.
  if (process.channel) process.once('disconnect', () => void stop('the web process is gone'));
  return finished;
}
