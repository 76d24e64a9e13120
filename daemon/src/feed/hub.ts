// The registry of feed topics for one daemon process. `epoch` names this process's sequence space:
// a client resuming with another epoch gets a fresh snapshot. It also holds the device-wide and
// per-owner caps on dynamic topics (streams), so no one client or session can use them all up.
import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '../protocol/errors.ts';
import { Topic, type TopicDefinition, type TopicPolicy } from './topic.ts';

/**
 * A family of topics made on demand, such as `logs:<namespace>/<pod>/<container>`: created when the
 * first client subscribes, stopped and forgotten when the last one leaves.
 */
export interface DynamicTopicSource {
  prefix: string;
  policy: TopicPolicy;
  /** Whether the kiosk listener serves these topics (default false). */
  kiosk?: boolean;
  /**
   * The topic for this name; null when the name is malformed; a refusal when the name is well
   * formed but names nothing that exists now (checked before any upstream work starts).
   */
  create(name: string): DynamicTopic | DynamicRefusal | null;
}

export interface DynamicTopic {
  initial: unknown;
  reduce(state: unknown, event: unknown): unknown;
  /** Starts publishing into the topic; returns the function that stops it (and aborts its work). */
  start(topic: Topic): () => void;
}

export interface DynamicRefusal {
  refused: ErrorCode;
  message: string;
}

/** Who may see a topic: its least role, whether the kiosk listener serves it, and whether it is made on demand. */
export interface TopicAccess {
  policy: TopicPolicy;
  kiosk: boolean;
  dynamic: boolean;
}

/** Device-wide: dynamic topics open at once. */
export const MAX_DYNAMIC_TOPICS = 64;
/** Dynamic topics one connection may hold. */
export const MAX_STREAMS_PER_CONNECTION = 8;
/** Dynamic topic subscriptions one owner (a session) may hold across all its connections. */
export const MAX_STREAMS_PER_OWNER = 16;

export interface FeedCounters {
  eventsDropped: number;
  drainSnapshots: number;
  resumes: number;
  snapshots: number;
  /** Snapshots put off because the client was over its budget (sent once it drains). */
  snapshotsDeferred: number;
  /** Connections closed for asking for replies while over their send budget. */
  closedOverBudget: number;
  /** Connections closed for sending frames faster than their rate allows. */
  closedTooManyMessages: number;
}

export interface FeedHubOptions {
  replayEvents: number;
  epoch?: string;
  maxDynamicTopics?: number;
  streamsPerConnection?: number;
  streamsPerOwner?: number;
}

export type Resolved = Topic | { error: 'unknown' | 'full' } | { error: 'refused'; code: ErrorCode; message: string };

export class FeedHub {
  readonly epoch: string;
  readonly counters: FeedCounters = {
    eventsDropped: 0,
    drainSnapshots: 0,
    resumes: 0,
    snapshots: 0,
    snapshotsDeferred: 0,
    closedOverBudget: 0,
    closedTooManyMessages: 0,
  };
  readonly streamsPerConnection: number;
  private readonly topics = new Map<string, Topic>();
  private readonly dynamicTopics = new Map<string, Topic>();
  private readonly sources: DynamicTopicSource[] = [];
  private readonly streamsByOwner = new Map<string, number>();
  private readonly replayEvents: number;
  private readonly maxDynamicTopics: number;
  private readonly streamsPerOwner: number;

  constructor(options: FeedHubOptions) {
    this.replayEvents = options.replayEvents;
    this.epoch = options.epoch ?? randomUUID();
    this.maxDynamicTopics = options.maxDynamicTopics ?? MAX_DYNAMIC_TOPICS;
    this.streamsPerConnection = Math.min(options.streamsPerConnection ?? MAX_STREAMS_PER_CONNECTION, this.maxDynamicTopics);
    this.streamsPerOwner = Math.min(options.streamsPerOwner ?? MAX_STREAMS_PER_OWNER, this.maxDynamicTopics);
  }

  define<S, E>(definition: TopicDefinition<S, E>): Topic<S, E> {
    if (this.topics.has(definition.name)) throw new Error(`feed topic ${definition.name} is already defined`);
    const topic = new Topic(definition, this.replayEvents);
    this.topics.set(definition.name, topic as Topic);
    return topic;
  }

  defineDynamic(source: DynamicTopicSource): void {
    if (this.sources.some((s) => s.prefix === source.prefix)) throw new Error(`dynamic topics ${source.prefix}* are already defined`);
    this.sources.push(source);
  }

  /** A static topic, or a dynamic one that exists now. */
  get(name: string): Topic | undefined {
    return this.topics.get(name) ?? this.dynamicTopics.get(name);
  }

  /** Who may see a topic of this name, without creating it; undefined when no topic has that name. */
  accessOf(name: string): TopicAccess | undefined {
    const topic = this.topics.get(name);
    if (topic) return { policy: topic.policy, kiosk: topic.kiosk, dynamic: false };
    const source = this.sources.find((s) => name.startsWith(s.prefix));
    return source ? { policy: source.policy, kiosk: source.kiosk === true, dynamic: true } : undefined;
  }

  /** The policy a topic of this name would have, without creating it. */
  policyOf(name: string): TopicPolicy | undefined {
    return this.accessOf(name)?.policy;
  }

  /**
   * The topic to subscribe to, creating a dynamic one if needed. The caller must add a listener
   * right away: a dynamic topic is forgotten when its last listener leaves.
   */
  resolve(name: string): Resolved {
    const existing = this.get(name);
    if (existing) return existing;
    const source = this.sources.find((s) => name.startsWith(s.prefix));
    if (!source) return { error: 'unknown' };
    if (this.dynamicTopics.size >= this.maxDynamicTopics) return { error: 'full' };
    const made = source.create(name);
    if (!made) return { error: 'unknown' };
    if ('refused' in made) return { error: 'refused', code: made.refused, message: made.message };
    let stop: () => void = () => undefined;
    const topic = new Topic(
      {
        name,
        policy: source.policy,
        kiosk: source.kiosk,
        initial: made.initial,
        reduce: made.reduce,
        onIdle: () => {
          this.dynamicTopics.delete(name);
          stop();
        },
      },
      this.replayEvents,
    );
    this.dynamicTopics.set(name, topic);
    stop = made.start(topic);
    return topic;
  }

  /** Takes one of an owner's stream slots; false when the owner holds its maximum. */
  acquireStream(owner: string): boolean {
    const held = this.streamsByOwner.get(owner) ?? 0;
    if (held >= this.streamsPerOwner) return false;
    this.streamsByOwner.set(owner, held + 1);
    return true;
  }

  releaseStream(owner: string): void {
    const left = (this.streamsByOwner.get(owner) ?? 1) - 1;
    if (left <= 0) this.streamsByOwner.delete(owner);
    else this.streamsByOwner.set(owner, left);
  }

  /** Stream slots an owner holds (tests and metrics). */
  streamsOf(owner: string): number {
    return this.streamsByOwner.get(owner) ?? 0;
  }

  get streamLimits(): { device: number; perConnection: number; perOwner: number } {
    return { device: this.maxDynamicTopics, perConnection: this.streamsPerConnection, perOwner: this.streamsPerOwner };
  }

  get dynamicTopicCount(): number {
    return this.dynamicTopics.size;
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  /** The prefixes of the dynamic topic families (`logs:`), so a test can walk every kind of topic. */
  dynamicPrefixes(): string[] {
    return this.sources.map((s) => s.prefix);
  }
}
