// Adapter: `outpost serve --with-agent` — the agent as a child process of the web, where no systemd
// socket activation runs it (a checkout's `npm start`, the demo, tests). The child's output goes to
// the web's own (one log stream); it exits when the web goes (its IPC channel closes). When it dies
// it is started again after a capped backoff (reset once a child has run a minute). OUTPOST_FAULT (the
// crash suite's one-shot fault points) is passed to the first child only: a restarted agent must
// recover, not stop at the same point again.
import { spawn, type ChildProcess } from 'node:child_process';
import { backoffMs, sleep, type BackoffPolicy } from '../lib/backoff.ts';
import type { Logger } from '../lib/logger.ts';

export interface AgentChild {
  /** The running child's pid, or null between runs. */
  readonly pid: number | null;
  /** Children started after the first. */
  readonly restarts: number;
  /** How the last child ended ("exit 1", "SIGKILL"), or null. */
  readonly lastExit: string | null;
  /** Stops the child (SIGTERM, SIGKILL after `graceMs`) and restarts no more. */
  stop(graceMs?: number): Promise<void>;
}

export interface AgentChildOptions {
  /** argv of `outpost agent …` */
  command: string[];
  env?: NodeJS.ProcessEnv;
  log: Logger;
  backoff?: BackoffPolicy;
  /** Told when a child ends unexpectedly (before it is restarted). */
  onExit?: (how: string) => void;
}

const STABLE_MS = 60_000;

export function superviseAgent(options: AgentChildOptions): AgentChild {
  const { log } = options;
  const policy = options.backoff ?? { baseMs: 500, maxMs: 30_000 };
  const stopping = new AbortController();
  let child: ChildProcess | null = null;
  let restarts = 0;
  let lastExit: string | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = (first: boolean) => {
    // Unset values stay unset (a caller may blank out a variable of its own environment).
    const env = Object.fromEntries(Object.entries(options.env ?? process.env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
    if (!first) delete env.OUTPOST_FAULT;
    const [program, ...args] = options.command;
    const startedAt = Date.now();
    const c = spawn(program!, args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child = c;
    log.info({ pid: c.pid, restarts }, 'agent child started');
    exited = new Promise<void>((resolve) => {
      c.once('error', (error) => log.error({ err: error }, 'the agent child could not be started'));
      c.once('exit', (code, signal) => {
        child = null;
        lastExit = signal ?? `exit ${code}`;
        resolve();
        if (stopping.signal.aborted) return;
        log.error({ how: lastExit }, 'the agent child ended; starting it again');
        options.onExit?.(lastExit);
        attempt = Date.now() - startedAt > STABLE_MS ? 0 : attempt + 1;
        void sleep(backoffMs(attempt, policy), stopping.signal).then(() => {
          if (stopping.signal.aborted) return;
          restarts += 1;
          start(false);
        });
      });
    });
  };
  let attempt = -1;
  start(true);

  return {
    get pid() {
      return child?.pid ?? null;
    },
    get restarts() {
      return restarts;
    },
    get lastExit() {
      return lastExit;
    },
    async stop(graceMs = 10_000) {
      stopping.abort();
      const c = child;
      if (!c) return;
      c.kill('SIGTERM');
      const force = setTimeout(() => c.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(force);
    },
  };
}
