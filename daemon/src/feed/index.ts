export { FeedHub, MAX_DYNAMIC_TOPICS, MAX_STREAMS_PER_CONNECTION, MAX_STREAMS_PER_OWNER } from './hub.ts';
export type { FeedCounters, DynamicTopic, DynamicTopicSource, DynamicRefusal, TopicAccess } from './hub.ts';
export { Topic, type TopicDefinition, type TopicPolicy } from './topic.ts';
export { FeedConnection, type FeedSocket } from './connection.ts';
export { attachFeed, type FeedServer, type FeedServerOptions, type UpgradeDecision } from './server.ts';
export { startSystemTopic } from './system-topic.ts';
export { parseClientMessage } from './client-message.ts';
