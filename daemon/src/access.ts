// Builds the access layer from config and the database: stores, the audit writer and counter, the
// first-start gate, the auth service and the live-socket registry. Part of the web's composition
// root, split out of main.ts. Audit records are written through the agent (which holds the chain's
// key); this side reads them for the Audit page.
import type { Config } from './config/index.ts';
import type { Logger } from './lib/logger.ts';
import type { Database } from './store/index.ts';
import { AuditAggregator, AuditLog, type AuditWriter } from './audit/index.ts';
import { AuthService, HostAllowList, LoginAttempts, SessionSockets, SessionStore, SetupGate, UserStore } from './auth/index.ts';

/** The agent's state folder (the audit key and head); kept here for the commands that import it from here. */
export { agentStateDir } from './agent/index.ts';

export interface Access {
  /** Where audit records go: to the agent, which signs them. */
  audit: AuditWriter;
  /** The records, read-only (the Audit page, the export). */
  records: AuditLog;
  /** Counts repeated refusals and anonymous failures into one audit record per window. */
  counted: AuditAggregator;
  auth: AuthService;
  sessions: SessionStore;
  sockets: SessionSockets;
  setup: SetupGate;
  hosts: HostAllowList;
  /** Starts the periodic session and throttle sweeps; returns their stop function (which also writes the open counts). */
  startSweeps(): () => void;
  /** Logs the setup code (the journal keeps it) while first-start setup is open. */
  announceSetup(): void;
}

export function buildAccess(config: Config, db: Database, log: Logger, audit: AuditWriter): Access {
  const records = new AuditLog(db, { maxBytes: config.audit.maxBytes });
  const auditLog = log.child({ module: 'audit' });
  const counted = new AuditAggregator((inputs) => audit.appendAll(inputs), {
    windowMs: config.audit.aggregateSeconds * 1000,
    onError: (error) => auditLog.error({ err: error }, 'could not write a counted audit record'),
  });
  const users = new UserStore(db);
  const sessions = new SessionStore(db, { idleMs: config.session.idleMinutes * 60_000, absoluteMs: config.session.absoluteHours * 3_600_000 });
  const attempts = new LoginAttempts(db);
  const sockets = new SessionSockets(sessions);
  const setup = new SetupGate(users.activeAdminCount() === 0);
  const auth = new AuthService({ users, sessions, attempts, sockets, setup, audit, counted, log: log.child({ module: 'auth' }) });
  const hosts = new HostAllowList(config.allowedHosts);

  return {
    audit,
    records,
    counted,
    auth,
    sessions,
    sockets,
    setup,
    hosts,
    announceSetup() {
      if (!setup.currentCode) return;
      log.warn({ event: 'setup-code' }, `first start: no admin exists yet. Setup code: ${setup.currentCode} (also shown on the kiosk screen)`);
    },
    startSweeps() {
      const stopSockets = sockets.watch(config.session.checkIntervalMs);
      const tidy = setInterval(() => {
        sessions.sweep();
        attempts.sweep();
      }, 10 * 60_000);
      tidy.unref();
      return () => {
        stopSockets();
        clearInterval(tidy);
        counted.close();
      };
    },
  };
}
