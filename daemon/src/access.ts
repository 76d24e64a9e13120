// Builds the access layer from config and the database: stores, the audit log with its signer,
// counter and verifier, the first-start gate, the auth service and the live-socket registry. Part of
// the composition root, split out of main.ts.
import path from 'node:path';
import type { Config } from './config/index.ts';
import type { Logger } from './lib/logger.ts';
import type { Database } from './store/index.ts';
import { AuditAggregator, AuditLog, AuditVerifier, FileAuditSigner, type AuditSigner } from './audit/index.ts';
import { AuthService, HostAllowList, LoginAttempts, SessionSockets, SessionStore, SetupGate, UserStore } from './auth/index.ts';

/**
 * The agent's state folder: it holds the audit chain's key and head. Today the agent runs inside
 * the daemon; once it runs as its own (root) process this folder is its alone (docs/security.md).
 */
export function agentStateDir(home: string): string {
  return path.join(home, 'agent');
}

export interface Access {
  audit: AuditLog;
  /** Counts repeated refusals and anonymous failures into one audit record per window. */
  counted: AuditAggregator;
  verifier: AuditVerifier;
  /** The audit chain's key (held by the agent's state folder). */
  signer: AuditSigner;
  auth: AuthService;
  sessions: SessionStore;
  sockets: SessionSockets;
  setup: SetupGate;
  hosts: HostAllowList;
  /** Starts the periodic session and throttle sweeps and the audit chain's full walks; returns their stop function (which also writes the open counts). */
  startSweeps(): () => void;
  /** Logs the setup code (the journal keeps it) while first-start setup is open. */
  announceSetup(): void;
}

export function buildAccess(config: Config, db: Database, log: Logger): Access {
  const signer = FileAuditSigner.open(agentStateDir(config.home), { create: true });
  const audit = new AuditLog(db, { signer, maxBytes: config.audit.maxBytes });
  const auditLog = log.child({ module: 'audit' });
  const counted = new AuditAggregator((inputs) => audit.appendAll(inputs), {
    windowMs: config.audit.aggregateSeconds * 1000,
    onError: (error) => auditLog.error({ err: error }, 'could not write a counted audit record'),
  });
  const verifier = new AuditVerifier(audit, signer);
  const users = new UserStore(db);
  const sessions = new SessionStore(db, { idleMs: config.session.idleMinutes * 60_000, absoluteMs: config.session.absoluteHours * 3_600_000 });
  const attempts = new LoginAttempts(db);
  const sockets = new SessionSockets(sessions);
  const setup = new SetupGate(users.activeAdminCount() === 0);
  const auth = new AuthService({ users, sessions, attempts, sockets, setup, audit, counted, log: log.child({ module: 'auth' }) });
  const hosts = new HostAllowList(config.allowedHosts);

  return {
    audit,
    counted,
    verifier,
    signer,
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
      const stopVerifier = verifier.start(undefined, (error) => auditLog.error({ err: error }, 'audit chain check failed'));
      const tidy = setInterval(() => {
        sessions.sweep();
        attempts.sweep();
      }, 10 * 60_000);
      tidy.unref();
      return () => {
        stopSockets();
        stopVerifier();
        clearInterval(tidy);
        counted.close();
      };
    },
  };
}
