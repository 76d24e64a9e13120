// Front door of upgrades on the web side: the HTTP routes and the `upgrade` feed topic, both fed by
// the agent's upgrade verbs (over its socket, or in-process in tests). The engine itself lives in
// upgrade/, in the privileged agent.
import type { UpgradeAgent } from '../agent/index.ts';
import type { FeedHub, Topic } from '../feed/index.ts';
import type { RouteSpec } from '../http/index.ts';
import { followAgent } from '../lib/follow-agent.ts';
import type { Logger } from '../lib/logger.ts';
import type { WorkloadSummary } from '../protocol/cluster.ts';
import { initialUpgradeState, reduceUpgrade, type UpgradeEvent, type UpgradeState } from '../protocol/upgrade.ts';
import { upgradeRoutes } from './routes.ts';

export { withHealth } from './health.ts';

export interface UpgradesWeb {
  routes: RouteSpec[];
  topic: Topic<UpgradeState, UpgradeEvent>;
  stop(): void;
}

export interface AttachUpgradesOptions {
  hub: FeedHub;
  agent: UpgradeAgent;
  workloads(): WorkloadSummary[] | null;
  log: Logger;
  /** Resolves once the agent is reachable again (it restarted, or a socket-activated one was started by something else). */
  whenUp?: (signal: AbortSignal) => Promise<void>;
}

export function attachUpgrades(options: AttachUpgradesOptions): UpgradesWeb {
  const topic = options.hub.define<UpgradeState, UpgradeEvent>({ name: 'upgrade', policy: 'viewer', kiosk: true, initial: initialUpgradeState(), reduce: reduceUpgrade });
  const controller = new AbortController();
  followAgent<UpgradeEvent>(
    {
      watch: (onEvent, signal) => options.agent.watchUpgrades(onEvent, signal),
      snapshot: async () => ({ kind: 'upgrade.state.v1', state: await options.agent.upgradeState() }),
      publish: (event) => topic.publish(event),
      whenUp: options.whenUp,
      log: options.log,
      what: 'upgrade',
    },
    controller.signal,
  );
  return { routes: upgradeRoutes(options), topic, stop: () => controller.abort() };
}
