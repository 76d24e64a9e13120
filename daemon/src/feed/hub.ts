// The registry of feed topics for one daemon process. `epoch` names this process's sequence space:
// a client resuming with another epoch gets a fresh snapshot.
import { randomUUID } from 'node:crypto';
import { Topic, type TopicDefinition } from './topic.ts';

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

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }
}
