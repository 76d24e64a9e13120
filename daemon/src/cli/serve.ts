// `outpost serve`: validate the config once, start the daemon, stop gracefully on SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { loadConfigOrReport } from './load-config.ts';
import { createLogger } from '../lib/logger.ts';
import { serviceNotifier } from '../lib/service-notify-adapter.ts';
import { LogRing } from '../lib/log-ring.ts';
import { startDaemon, StartupError } from '../main.ts';
import { isTlsError } from '../tls/index.ts';

export const serveHelp = `usage: outpost serve [--config FILE] [--home DIR] [--port N] [--listen ADDRESS] [--kiosk-port N] [--log-level LEVEL] [--with-agent]

Runs the web daemon and the LocalUI. Settings come from the config file
(--config, OUTPOST_CONFIG, ./outpost.config.yaml or /etc/outpost/config.yaml),
then the environment (OUTPOST_HOME, OUTPOST_PORT, OUTPOST_LISTEN, OUTPOST_KIOSK_PORT, OUTPOST_LOG_LEVEL,
OUTPOST_AGENT_MODE, OUTPOST_AGENT_SOCKET), then these flags.

--with-agent  run the privileged agent as a child process on its socket (agent.mode child), as
              \`npm start\` does; under systemd the agent is socket-activated instead (agent.mode socket).`;

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      home: { type: 'string' },
      port: { type: 'string' },
      listen: { type: 'string' },
      'kiosk-port': { type: 'string' },
      'log-level': { type: 'string' },
      'with-agent': { type: 'boolean' },
    },
    strict: true,
  });
  const { 'with-agent': withAgent, ...flags } = values;
  const config = loadConfigOrReport({ ...flags, ...(withAgent ? { 'agent-mode': 'child' } : {}) });
  if (!config) return 2;
  // The last lines also stay in memory for the support bundle (stdout is not kept in a checkout).
  const recentLogs = new LogRing();
  const log = createLogger(config.log.level, undefined, recentLogs);
  let daemon;
  try {
    daemon = await startDaemon(config, log, {}, { recentLogs });
  } catch (error) {
    // startDaemon has already stopped whatever it started: say why in one line and exit, so a
    // supervisor (systemd Restart=) sees the failure instead of a half-started daemon.
    const tls = isTlsError(error);
    const line = tls ? `cannot serve TLS: ${error.message} (${error.code})` : error instanceof StartupError ? error.message : `cannot start: ${String(error)}`;
    log.error({ err: error }, line);
    log.flush();
    process.stderr.write(`outpost: ${line}\n`);
    // Nothing should be left running; if something is, do not let it keep the process alive.
    setTimeout(() => process.exit(tls ? 2 : 1), 3000).unref();
    return tls ? 2 : 1;
  }
  if (daemon.setupCode) process.stderr.write(`outpost: first start — open the LocalUI and enter the setup code ${daemon.setupCode}\n`);
  process.stderr.write(`outpost: LocalUI at ${daemon.url}\n`);
  if (daemon.kioskUrl) process.stderr.write(`outpost: kiosk screen at ${daemon.kioskUrl}kiosk (read-only, this machine only)\n`);
  // systemd (Type=notify): ready once every listener is up; a no-op without NOTIFY_SOCKET.
  const notifier = serviceNotifier({ log });
  notifier.ready(`LocalUI at ${daemon.url}`);

  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'shutting down');
      notifier.stopping(`stopping on ${signal}`);
      const force = setTimeout(() => {
        log.warn('shutdown took too long; exiting anyway');
        log.flush();
        resolve(1);
      }, config.shutdownTimeoutMs);
      force.unref();
      void daemon.close().then(async () => {
        await notifier.close();
        clearTimeout(force);
        log.info('stopped');
        log.flush();
        resolve(0);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
