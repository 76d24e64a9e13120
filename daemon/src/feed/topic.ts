// One feed topic: current state, a monotonically increasing sequence, and a bounded ring of recent
// events so reconnecting clients can resume. Invariant: `state` is the result of applying every
// published event, in order, to `initial`; events in the ring are exactly seq-ring.length+1 … seq.

export type TopicPolicy = 'viewer' | 'operator' | 'admin';

export interface TopicDefinition<S, E> {
  name: string;
  initial: S;
  reduce(state: S, event: E): S;
  /** The least role that may subscribe; declared where the topic is defined. */
  policy: TopicPolicy;
  /**
   * Whether the loopback kiosk listener (no login) serves this topic. Default false: only what the
   * kiosk page shows is marked, where the topic is defined (docs/security.md, "The kiosk listener").
   */
  kiosk?: boolean;
  /** Called when the last subscriber leaves (dynamic topics stop their source here). */
  onIdle?: () => void;
}

export interface TopicListener {
  /** Called for every published event; `encoded` is the ready-to-send `event` message. */
  onEvent(topic: string, seq: number, encoded: Buffer): void;
}

export class Topic<S = unknown, E = unknown> {
  readonly name: string;
  readonly policy: TopicPolicy;
  readonly kiosk: boolean;
  private readonly reduce: (state: S, event: E) => S;
  private readonly onIdle: (() => void) | undefined;
  private current: S;
  private sequence = 0;
  private readonly ring: (E | undefined)[];
  private ringStart = 0;
  private ringLength = 0;
  private readonly listeners = new Set<TopicListener>();

  constructor(definition: TopicDefinition<S, E>, replayCapacity: number) {
    this.name = definition.name;
    this.policy = definition.policy;
    this.kiosk = definition.kiosk === true;
    this.reduce = definition.reduce;
    this.onIdle = definition.onIdle;
    this.current = definition.initial;
    this.ring = new Array<E | undefined>(replayCapacity);
  }

  get seq(): number {
    return this.sequence;
  }

  get state(): S {
    return this.current;
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  publish(event: E): void {
    this.current = this.reduce(this.current, event);
    this.sequence += 1;
    const capacity = this.ring.length;
    if (capacity > 0) {
      if (this.ringLength < capacity) {
        this.ring[(this.ringStart + this.ringLength) % capacity] = event;
        this.ringLength += 1;
      } else {
        this.ring[this.ringStart] = event;
        this.ringStart = (this.ringStart + 1) % capacity;
      }
    }
    if (this.listeners.size === 0) return;
    const encoded = Buffer.from(JSON.stringify({ type: 'event', topic: this.name, seq: this.sequence, event }));
    for (const listener of this.listeners) listener.onEvent(this.name, this.sequence, encoded);
  }

  /** The events after `seq`, oldest first, or null when some of them are no longer kept. */
  eventsAfter(seq: number): E[] | null {
    if (!Number.isInteger(seq) || seq < 0 || seq > this.sequence) return null;
    const missed = this.sequence - seq;
    if (missed > this.ringLength) return null;
    const capacity = this.ring.length;
    const out: E[] = [];
    for (let i = this.ringLength - missed; i < this.ringLength; i += 1) out.push(this.ring[(this.ringStart + i) % capacity] as E);
    return out;
  }

  addListener(listener: TopicListener): void {
    this.listeners.add(listener);
  }

  removeListener(listener: TopicListener): void {
    if (this.listeners.delete(listener) && this.listeners.size === 0) this.onIdle?.();
  }
}
