// Front door of upgrades on the web side: the HTTP routes and the `upgrade` feed topic, both fed by
// the agent's upgrade verbs (over its socket, or in-process in tests). The engine itself lives in
// upgrade/, in the privileged agent.
import type { UpgradeAgent } from '../agent/index.ts';
import type { FeedHub, Topic } from '../feed/index.ts';
import type { RouteSpec } from '../http/index.ts';
import { sleep } from '../lib/backoff.ts';
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
  const signal = controller.signal;
  // Watch first, then load the snapshot: an event between the two is applied on top of it or
  // already in it (every event replaces a whole part), never lost. When the agent goes away the
  // stream ends; once it is back, both start again (one attempt a second at most).
  void (async () => {
    for (let round = 0; !signal.aborted; round += 1) {
      if (round > 0) await sleep(1000, signal);
      await options.whenUp?.(signal);
      if (signal.aborted) break;
      const watching = options.agent.watchUpgrades((event) => topic.publish(event), signal);
      void options.agent.upgradeState().then(
        (state) => topic.publish({ kind: 'upgrade.state.v1', state }),
        (error: unknown) => options.log.warn({ err: error }, 'cannot load the upgrade state'),
      );
      await watching.catch((error: unknown) => signal.aborted || options.log.warn({ err: error }, 'the upgrade event stream ended'));
    }
  })();
  return { routes: upgradeRoutes(options), topic, stop: () => controller.abort() };
}
