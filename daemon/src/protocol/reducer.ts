// The one pure reducer both sides use to apply a feed event to a topic's state.

import type { TopicEvent, TopicName, TopicState } from './feed.ts';
import { reduceSystem } from './system.ts';
import { reduceCluster } from './cluster.ts';
import { reduceHealth } from './health.ts';
import { reduceStatus } from './status.ts';
import { reduceUpgrade } from './upgrade.ts';
import { reduceUsb } from './arrival.ts';

type Reducers = { [T in TopicName]: (state: TopicState<T>, event: TopicEvent<T>) => TopicState<T> };

export const reducers: Reducers = {
  system: reduceSystem,
  cluster: reduceCluster,
  health: reduceHealth,
  status: reduceStatus,
  upgrade: reduceUpgrade,
  usb: reduceUsb,
};

export function applyFeedEvent<T extends TopicName>(topic: T, state: TopicState<T>, event: TopicEvent<T>): TopicState<T> {
  const reduce = reducers[topic] as (s: TopicState<T>, e: TopicEvent<T>) => TopicState<T>;
  return reduce(state, event);
}

export function isTopicName(name: string): name is TopicName {
  return Object.hasOwn(reducers, name);
}
