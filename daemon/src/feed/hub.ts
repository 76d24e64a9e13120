// The registry of feed topics for one daemon process. `epoch` names this process's sequence space:
// a client resuming with another epoch gets a fresh snapshot.
import { randomUUID } from 'node:crypto';
import { Topic, type TopicDefinition, type TopicPolicy } from './topic.ts';

/**
 * A family of topics made on demand, such as `logs:<namespace>/<pod>/<container>`: created when the
 * first client subscribes, stopped and forgotten when the last one leaves.
 */
export interface DynamicTopicSource {
  prefix: string;
  policy: TopicPolicy;
  /** The topic for this name, or null when the name is malformed or names nothing. */
  create(name: string): DynamicTopic | null;
}

export interface DynamicTopic {
  initial: unknown;
  reduce(state: unknown, event: unknown): unknown;
  /** Starts publishing into the topic; returns the function that stops it. */
  start(topic: Topic): () => void;
}

export const MAX_DYNAMIC_TOPICS = 64;

export interface FeedCounters {
  eventsDropped: number;
  drainSnapshots: number;
  resumes: number;
  snapshots: number;
}

export class FeedHub {
  readonly epoch: string;
  readonly counters: FeedCounters = { eventsDropped: 0, drainSnapshots: 0, resumes: 0, snapshots: 0 };
  private readonly topics = new Map<string, Topic>();
  private readonly dynamicTopics = new Map<string, Topic>();
  private readonly sources: DynamicTopicSource[] = [];
  private readonly replayEvents: number;

  constructor(options: { replayEvents: number; epoch?: string }) {
    this.replayEvents = options.replayEvents;
    this.epoch = options.epoch ?? randomUUID();
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

  /** The policy a topic of this name would have, without creating it. */
  policyOf(name: string): TopicPolicy | undefined {
    return this.topics.get(name)?.policy ?? this.sources.find((s) => name.startsWith(s.prefix))?.policy;
  }

  /**
   * The topic to subscribe to, creating a dynamic one if needed. The caller must add a listener
   * right away: a dynamic topic is forgotten when its last listener leaves.
   */
  resolve(name: string): Topic | { error: 'unknown' | 'full' } {
    const existing = this.get(name);
    if (existing) return existing;
    const source = this.sources.find((s) => name.startsWith(s.prefix));
    if (!source) return { error: 'unknown' };
    if (this.dynamicTopics.size >= MAX_DYNAMIC_TOPICS) return { error: 'full' };
    const made = source.create(name);
    if (!made) return { error: 'unknown' };
    let stop: () => void = () => undefined;
    const topic = new Topic(
      {
        name,
        policy: source.policy,
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

  get dynamicTopicCount(): number {
    return this.dynamicTopics.size;
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }
}
