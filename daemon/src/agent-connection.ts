// The web process's side of the privilege split, part of its composition root (main.ts): how it
// reaches the agent, chosen by `agent.mode` (docs/architecture.md):
//   in-process  the agent's parts run in this process (tests); they also serve agent.socket for the CLI
//   child       `serve --with-agent`: this process starts `outpost agent` and restarts it when it dies
//   socket      systemd runs the agent (outpost-agent.socket); this process only connects
// Whatever the mode, the web gets the agent's verbs, an audit writer that ends at the agent, and
// its faults for the device verdict (the agent away is critical: restarts and upgrades need it).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentAuditQueue, agentLink, localAgent, socketRules, socketTrustCheck, startAgentSocket, superviseAgent, type AgentLinkState, type AgentVerbs } from './agent/index.ts';
import { composeAgent, type AgentSeams } from './agent-main.ts';
import type { AuditWriter } from './audit/index.ts';
import type { Config } from './config/index.ts';
import { sleep } from './lib/backoff.ts';
import type { Logger } from './lib/logger.ts';
import type { StatusConcern } from './status/index.ts';

export interface AgentConnection {
  readonly mode: Config['agent']['mode'];
  /** The agent's verbs (validated on the agent's side of every mode). */
  verbs: AgentVerbs;
  /** Audit records go through here; the agent signs them. */
  audit: AuditWriter;
  /** Resolves once the agent answers with its upgrade engine ready (never rejects; ends at close). */
  ready: Promise<void>;
  /** Outpost's own faults about the agent, for the device verdict. */
  concerns(): StatusConcern[];
  /** Resolves once the agent can be reached again (see agent-link.ts); at once in-process. */
  whenUp(signal: AbortSignal): Promise<void>;
  /** Called when the agent comes or goes (the verdict refreshes at once). */
  onChange(listener: () => void): () => void;
  /** For tests and the log: the link's state and the child's pid (child mode). */
  describe(): { mode: Config['agent']['mode']; link: AgentLinkState | null; childPid: number | null; restarts: number };
  close(): Promise<void>;
}

/** The `outpost` command beside this file (cli.ts in a checkout, cli.js in a release). */
function cliPath(): string {
  const self = fileURLToPath(import.meta.url);
  return path.join(path.dirname(self), `cli${path.extname(self)}`);
}

async function inProcess(config: Config, log: Logger, seams: AgentSeams): Promise<AgentConnection> {
  const parts = await composeAgent(config, log, seams);
  // The CLI (`outpost upgrade`, …) reaches these same parts on the agent socket.
  const server = await startAgentSocket({
    verbs: parts.verbs,
    log: log.child({ module: 'agent-socket' }),
    listen: { path: config.agent.socket },
    trust: socketTrustCheck(config.agent.socket, socketRules(config.agent.socketGroup)),
  }).catch(async (error: unknown) => {
    await parts.close();
    throw error;
  });
  return {
    mode: 'in-process',
    verbs: localAgent(parts.verbs),
    audit: parts.audit,
    ready: parts.ready,
    concerns: () => [],
    whenUp: () => Promise.resolve(),
    onChange: () => () => undefined,
    describe: () => ({ mode: 'in-process', link: null, childPid: process.pid, restarts: 0 }),
    close: async () => {
      await server.close();
      await parts.close();
    },
  };
}

function apart(config: Config, log: Logger, env: NodeJS.ProcessEnv): AgentConnection {
  const mode = config.agent.mode;
  const alog = log.child({ module: 'agent-link' });
  const child =
    mode === 'child'
      ? superviseAgent({
          command: [process.execPath, cliPath(), 'agent', '--config', config.configFile ?? 'none', '--home', config.home, '--socket', config.agent.socket, '--log-level', config.log.level],
          env,
          log: log.child({ module: 'agent-child' }),
        })
      : null;
  const link = agentLink({ socket: config.agent.socket, log: alog });
  const audit = new AgentAuditQueue({ agent: link, log: alog });
  const closing = new AbortController();
  const ready = (async () => {
    while (!closing.signal.aborted) {
      await link.whenUp(closing.signal);
      const info = await link.agentInfo().catch(() => null);
      if (info?.engineReady) return;
      await sleep(200, closing.signal);
    }
  })();
  const retry = mode === 'child' ? 'it is being started again' : 'systemd starts it again on the next request (outpost-agent.socket)';
  return {
    mode,
    verbs: link,
    audit,
    ready,
    concerns() {
      const s = link.state;
      if (s.phase !== 'down') return [];
      const message = `The privileged agent is not running (${s.lastError ?? 'no answer'}): restarts and upgrades are unavailable; ${retry}`;
      return [{ severity: 'critical', subject: 'agent', message, since: s.since }];
    },
    whenUp: (signal) => link.whenUp(signal),
    onChange: (listener) => link.onChange(() => listener()),
    describe: () => ({ mode, link: link.state, childPid: child?.pid ?? null, restarts: child?.restarts ?? 0 }),
    async close() {
      closing.abort();
      // The counted and final records of this process reach the agent before it goes.
      await audit.close();
      link.close();
      await child?.stop();
    },
  };
}

export async function connectAgent(config: Config, log: Logger, seams: AgentSeams = {}): Promise<AgentConnection> {
  return config.agent.mode === 'in-process' ? inProcess(config, log, seams) : apart(config, log, seams.env ?? process.env);
}
