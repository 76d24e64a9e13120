// Front door of upgrades on the web side: the HTTP routes and the `upgrade` feed topic, both fed by
// the upgrade agent (in-process today, over the agent socket later). The engine itself lives in
// upgrade/, behind the Agent boundary.
import type { UpgradeAgent } from '../agent/index.ts';
import type { FeedHub, Topic } from '../feed/index.ts';
import type { RouteSpec } from '../http/index.ts';
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

export function attachUpgrades(options: { hub: FeedHub; agent: UpgradeAgent; workloads(): WorkloadSummary[] | null; log: Logger }): UpgradesWeb {
  // kiosk: the appliance screen shows a running upgrade's phase and percent (a USB stick's too).
  const topic = options.hub.define<UpgradeState, UpgradeEvent>({ name: 'upgrade', policy: 'viewer', kiosk: true, initial: initialUpgradeState(), reduce: reduceUpgrade });
  const controller = new AbortController();
  // Watch first, then load the snapshot: an event between the two is applied on top of it or
  // already in it (every event replaces a whole part), never lost.
  void options.agent.watchUpgrades((event) => topic.publish(event), controller.signal).catch((error: unknown) => options.log.error({ err: error }, 'the upgrade event stream ended'));
  void options.agent.upgradeState().then(
    (state) => topic.publish({ kind: 'upgrade.state.v1', state }),
    (error: unknown) => options.log.error({ err: error }, 'cannot load the upgrade state'),
  );
  return { routes: upgradeRoutes(options), topic, stop: () => controller.abort() };
}
