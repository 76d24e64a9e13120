// Builds the access layer from config and the database: stores, the first-start gate, the auth
// service and the live-socket registry. Part of the composition root, split out of main.ts.
import type { Config } from './config/index.ts';
import type { Logger } from './lib/logger.ts';
import type { Database } from './store/index.ts';
import { AuditLog } from './audit/index.ts';
import { AuthService, HostAllowList, LoginAttempts, SessionSockets, SessionStore, SetupGate, UserStore } from './auth/index.ts';

export interface Access {
  audit: AuditLog;
  auth: AuthService;
  sessions: SessionStore;
  sockets: SessionSockets;
  setup: SetupGate;
  hosts: HostAllowList;
  /** Starts the periodic session and throttle sweeps; returns their stop function. */
  startSweeps(): () => void;
  /** Logs the setup code (the journal keeps it) while first-start setup is open. */
  announceSetup(): void;
}

export function buildAccess(config: Config, db: Database, log: Logger): Access {
  const audit = new AuditLog(db);
  const users = new UserStore(db);
  const sessions = new SessionStore(db, { idleMs: config.session.idleMinutes * 60_000, absoluteMs: config.session.absoluteHours * 3_600_000 });
  const attempts = new LoginAttempts(db);
  const sockets = new SessionSockets(sessions);
  const setup = new SetupGate(users.activeAdminCount() === 0);
  const auth = new AuthService({ users, sessions, attempts, sockets, setup, audit, log: log.child({ module: 'auth' }) });
  const hosts = new HostAllowList(config.allowedHosts);

  return {
    audit,
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
      };
    },
  };
}
