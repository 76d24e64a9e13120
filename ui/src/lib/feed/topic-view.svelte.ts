// The live state of one topic on the client: a snapshot, then events applied with the same pure
// reducer as the server. A gap in sequence numbers asks the client for a fresh snapshot.
import { applyFeedEvent, type TopicEvent, type TopicName, type TopicState } from '@protocol';

export class TopicView<T extends TopicName> {
  readonly topic: T;
  #state = $state.raw<TopicState<T> | null>(null);
  #seq = $state(0);
  #epoch = $state<string | null>(null);
  #error = $state<string | null>(null);
  #updatedAt = $state<number | null>(null);

  constructor(topic: T) {
    this.topic = topic;
  }

  get state(): TopicState<T> | null {
    return this.#state;
  }
  get seq(): number {
    return this.#seq;
  }
  get epoch(): string | null {
    return this.#epoch;
  }
  get error(): string | null {
    return this.#error;
  }
  get updatedAt(): number | null {
    return this.#updatedAt;
  }
  get ready(): boolean {
    return this.#state !== null;
  }

  /** Where to resume after a reconnect, if anything was received. */
  resumePoint(): { epoch: string; seq: number } | undefined {
    return this.#epoch !== null && this.#state !== null ? { epoch: this.#epoch, seq: this.#seq } : undefined;
  }

  applySnapshot(epoch: string, seq: number, state: TopicState<T>, now: number): void {
    this.#epoch = epoch;
    this.#seq = seq;
    this.#state = state;
    this.#error = null;
    this.#updatedAt = now;
  }

  /** Returns false when the event does not follow the last one (a gap): the caller resubscribes. */
  applyEvent(seq: number, event: TopicEvent<T>, now: number): boolean {
    if (this.#state === null || seq !== this.#seq + 1) return seq <= this.#seq;
    this.#state = applyFeedEvent(this.topic, this.#state, event);
    this.#seq = seq;
    this.#updatedAt = now;
    return true;
  }

  fail(message: string): void {
    this.#error = message;
  }
}
