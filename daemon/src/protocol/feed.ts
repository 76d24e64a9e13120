// The feed wire protocol (docs/protocol.md): one WebSocket, JSON text frames, topics with
// snapshot-then-sequenced-events. Shared verbatim by the daemon and the UI.

import type { ErrorCode } from './errors.ts';
import type { SystemEvent, SystemState } from './system.ts';
import type { ClusterEvent, ClusterState } from './cluster.ts';
import type { HealthEvent, HealthState } from './health.ts';
import type { StatusEvent, StatusState } from './status.ts';
import type { UpgradeEvent, UpgradeState } from './upgrade.ts';
import type { UsbEvent, UsbState } from './arrival.ts';

export const FEED_PROTOCOL = 'outpost.feed.v1';
export const FEED_PATH = '/api/v1/feed';

/** Static topics and their snapshot / event payloads. Parameterised topics (logs:…) join later. */
export interface TopicMap {
  system: { state: SystemState; event: SystemEvent };
  cluster: { state: ClusterState; event: ClusterEvent };
  health: { state: HealthState; event: HealthEvent };
  status: { state: StatusState; event: StatusEvent };
  upgrade: { state: UpgradeState; event: UpgradeEvent };
  usb: { state: UsbState; event: UsbEvent };
}
export type TopicName = keyof TopicMap;
export type TopicState<T extends TopicName> = TopicMap[T]['state'];
export type TopicEvent<T extends TopicName> = TopicMap[T]['event'];

/** Where a client left off: the server instance (`epoch`) and the last sequence it applied. */
export interface ResumePoint {
  epoch: string;
  seq: number;
}

export type ClientMessage =
  | { type: 'subscribe'; topic: string; resume?: ResumePoint }
  | { type: 'unsubscribe'; topic: string };

export interface HelloMessage {
  type: 'hello';
  protocol: typeof FEED_PROTOCOL;
  epoch: string;
  version: string;
  heartbeatMs: number;
  maxMessageBytes: number;
  topics: string[];
}

export interface SnapshotMessage<T extends TopicName = TopicName> {
  type: 'snapshot';
  topic: T;
  epoch: string;
  seq: number;
  state: TopicState<T>;
}

export interface ResumedMessage {
  type: 'resumed';
  topic: string;
  /** The sequence the client asked to resume after; `missed` events follow, seq+1 … seq+missed. */
  seq: number;
  missed: number;
}

export interface EventMessage<T extends TopicName = TopicName> {
  type: 'event';
  topic: T;
  seq: number;
  event: TopicEvent<T>;
}

export interface UnsubscribedMessage {
  type: 'unsubscribed';
  topic: string;
}

export interface HeartbeatMessage {
  type: 'heartbeat';
  time: number;
}

export interface FeedErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  topic?: string;
}

export type ServerMessage =
  | HelloMessage
  | SnapshotMessage
  | ResumedMessage
  | EventMessage
  | UnsubscribedMessage
  | HeartbeatMessage
  | FeedErrorMessage;

/** WebSocket close codes the server uses, with the reason text shown to users. */
export const FEED_CLOSE = {
  shuttingDown: { code: 1001, reason: 'server shutting down' },
  deadPeer: { code: 4000, reason: 'no heartbeat answer' },
  sessionEnded: { code: 4001, reason: 'session ended' },
  forbidden: { code: 4003, reason: 'forbidden' },
  tooLarge: { code: 1009, reason: 'message too large' },
  /** The client asked for replies while over its send budget (it is not reading what it has). */
  overBudget: { code: 1008, reason: 'send budget exceeded' },
  /** The client sent frames faster than `feed.clientFramesPerSecond` after its burst. */
  tooManyMessages: { code: 1008, reason: 'too many messages' },
} as const;
