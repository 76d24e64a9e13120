// Adapter: readiness, status, stopping and the watchdog for systemd's Type=notify, through
// `systemd-notify` child processes. Node has no unix datagram sockets, and NOTIFY_SOCKET is one.
// Does nothing at all when NOTIFY_SOCKET is unset (a checkout, a test, a shell).
// Why a child process is honest here: systemd-notify (systemd ≥ 246) waits with BARRIER=1 until the
// manager has read the message, so the message is never attributed to a process that already exited
// (the old race); the unit needs NotifyAccess=all because the sender is the child, not the main PID.
// Invariants: at most one systemd-notify runs at a time and at most one message waits behind it
// (merged by variable); each child has a deadline; failures are logged, never thrown.
import { execFile } from 'node:child_process';
import type { Logger } from './logger.ts';

export interface ServiceNotifier {
  /** True when a service manager is listening (NOTIFY_SOCKET set). */
  readonly enabled: boolean;
  /** The watchdog ping interval in ms, or null when the unit has no WatchdogSec. */
  readonly watchdogIntervalMs: number | null;
  /** READY=1 with a status line; starts the watchdog pings. */
  ready(status: string): void;
  status(status: string): void;
  /** STOPPING=1; stops the watchdog pings. */
  stopping(status?: string): void;
  /** Stops the pings; resolves once nothing is in flight. */
  close(): Promise<void>;
}

export type RunNotify = (args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) => Promise<void>;

const runSystemdNotify: RunNotify = (args, env, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile('systemd-notify', args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`systemd-notify ${args.join(' ')} failed: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve();
    });
  });

/** The watchdog interval: half of WATCHDOG_USEC, when it is meant for this process. */
export function watchdogInterval(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(100, Math.floor(usec / 2000));
}

/** Keeps a status line to one short line: systemd shows it in `systemctl status`. */
function statusField(status: string): string {
  return `STATUS=${status.replace(/[\r\n]+/g, ' ').slice(0, 200)}`;
}

export function serviceNotifier(options: { log: Logger; env?: NodeJS.ProcessEnv; pid?: number; run?: RunNotify; timeoutMs?: number }): ServiceNotifier {
  const env = options.env ?? process.env;
  const log = options.log.child({ module: 'service-notify' });
  const socket = env.NOTIFY_SOCKET;
  const run = options.run ?? runSystemdNotify;
  const timeoutMs = options.timeoutMs ?? 5000;
  const interval = socket ? watchdogInterval(env, options.pid ?? process.pid) : null;
  // Only what systemd-notify needs: never hand the daemon's whole environment to a child.
  const childEnv: NodeJS.ProcessEnv = { NOTIFY_SOCKET: socket, PATH: env.PATH ?? '/usr/bin:/bin' };
  let inFlight: Promise<void> | null = null;
  let waiting: Map<string, string> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;

  function send(fields: string[]): void {
    if (!socket) return;
    if (inFlight) {
      // Merged by variable, the latest value winning: a waiting ping stays one ping, a status the latest.
      waiting ??= new Map();
      for (const field of fields) waiting.set(field.slice(0, field.indexOf('=')), field);
      return;
    }
    inFlight = run(fields, childEnv, timeoutMs)
      .then(
        () => {
          failures = 0;
        },
        (error: unknown) => {
          failures += 1;
          // The first failure and then every hundredth: a missing systemd-notify must not flood the journal.
          if (failures === 1 || failures % 100 === 0) log.error({ err: error, failures }, 'cannot notify the service manager');
        },
      )
      .finally(() => {
        inFlight = null;
        const next = waiting;
        waiting = null;
        if (next) send([...next.values()]);
      });
  }

  function stopWatchdog(): void {
    clearInterval(timer);
    timer = undefined;
  }

  return {
    enabled: Boolean(socket),
    watchdogIntervalMs: interval,
    ready(status) {
      send(['READY=1', statusField(status)]);
      if (interval !== null && !timer) {
        // The ping runs on the event loop on purpose: a loop that stalls misses it and systemd restarts us.
        timer = setInterval(() => send(['WATCHDOG=1']), interval);
        timer.unref();
      }
    },
    status(status) {
      send([statusField(status)]);
    },
    stopping(status = 'stopping') {
      stopWatchdog();
      send(['STOPPING=1', statusField(status)]);
    },
    async close() {
      stopWatchdog();
      while (inFlight) await inFlight;
    },
  };
}
