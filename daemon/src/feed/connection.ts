// One feed client. Owns its subscriptions and its send budget.
// Invariant: bytes queued for this client never exceed `sendBufferBytes` plus one message. Past that
// budget, events for the client are dropped and its topics marked stale; once the queue has drained
// below a quarter of the budget, each stale topic gets exactly one fresh snapshot and events resume.
import type { FeedHub } from './hub.ts';
import type { Topic, TopicListener } from './topic.ts';
import { parseClientMessage } from './client-message.ts';
import type { ErrorCode } from '../protocol/errors.ts';
import type { ResumePoint, ServerMessage } from '../protocol/feed.ts';

/** The slice of a ws WebSocket a connection needs; tests can hand in their own. */
export interface FeedSocket {
  readonly bufferedAmount: number;
  /** Events are pre-encoded once per publish; they must still go out as text frames. */
  send(data: Buffer | string, options: { binary: false }): void;
}

const TEXT = { binary: false } as const;

export interface FeedConnectionOptions {
  sendBufferBytes: number;
  maxSubscriptions: number;
  drainCheckMs?: number;
  /** Whether this client may subscribe to a topic (role checks live with the caller). */
  mayAccess?: (topic: string) => boolean;
}

export class FeedConnection implements TopicListener {
  private readonly subscriptions = new Map<string, Topic>();
  private readonly stale = new Set<string>();
  private drainTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly socket: FeedSocket;
  private readonly hub: FeedHub;
  private readonly options: FeedConnectionOptions;
  dropped = 0;

  constructor(socket: FeedSocket, hub: FeedHub, options: FeedConnectionOptions) {
    this.socket = socket;
    this.hub = hub;
    this.options = options;
  }

  get topics(): string[] {
    return [...this.subscriptions.keys()];
  }

  /** Handles one text frame from the client. */
  receive(text: string): void {
    const parsed = parseClientMessage(text);
    if (!parsed.ok) return this.sendError('feed_bad_message', parsed.reason);
    const message = parsed.message;
    if (message.type === 'subscribe') this.subscribe(message.topic, message.resume);
    else this.unsubscribe(message.topic);
  }

  subscribe(name: string, resume?: ResumePoint): void {
    if (this.hub.policyOf(name) === undefined || (this.options.mayAccess && !this.options.mayAccess(name))) {
      return this.sendError('feed_unknown_topic', `no topic named ${name}`, name);
    }
    if (!this.subscriptions.has(name) && this.subscriptions.size >= this.options.maxSubscriptions) {
      return this.sendError('feed_too_many_subscriptions', `at most ${this.options.maxSubscriptions} topics per connection`, name);
    }
    const topic = this.hub.resolve(name);
    if ('error' in topic) {
      return topic.error === 'full'
        ? this.sendError('feed_too_many_subscriptions', 'too many live streams are open on this device; close one and try again', name)
        : this.sendError('feed_unknown_topic', `no topic named ${name}`, name);
    }
    this.subscriptions.set(name, topic);
    topic.addListener(this);
    this.stale.delete(name);

    const missed = resume && resume.epoch === this.hub.epoch ? topic.eventsAfter(resume.seq) : null;
    if (resume && missed && this.socket.bufferedAmount <= this.options.sendBufferBytes) {
      this.hub.counters.resumes += 1;
      this.send({ type: 'resumed', topic: name, seq: resume.seq, missed: missed.length });
      missed.forEach((event, i) => this.sendRaw(JSON.stringify({ type: 'event', topic: name, seq: resume.seq + i + 1, event })));
      return;
    }
    this.sendSnapshot(topic);
  }

  unsubscribe(name: string): void {
    const topic = this.subscriptions.get(name);
    if (topic) topic.removeListener(this);
    this.subscriptions.delete(name);
    this.stale.delete(name);
    this.send({ type: 'unsubscribed', topic: name });
  }

  onEvent(topic: string, _seq: number, encoded: Buffer): void {
    if (this.closed) return;
    if (this.stale.has(topic)) {
      this.drop();
      return;
    }
    if (this.socket.bufferedAmount > this.options.sendBufferBytes) {
      this.stale.add(topic);
      this.drop();
      this.watchDrain();
      return;
    }
    this.socket.send(encoded, TEXT);
  }

  /** Sends a control message unless the client is over budget (heartbeats are skippable). */
  sendIfRoom(message: ServerMessage): void {
    if (this.socket.bufferedAmount <= this.options.sendBufferBytes) this.send(message);
  }

  send(message: ServerMessage): void {
    this.sendRaw(JSON.stringify(message));
  }

  close(): void {
    this.closed = true;
    for (const topic of this.subscriptions.values()) topic.removeListener(this);
    this.subscriptions.clear();
    this.stale.clear();
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.drainTimer = undefined;
  }

  private sendRaw(text: string): void {
    if (!this.closed) this.socket.send(text, TEXT);
  }

  private sendError(code: ErrorCode, message: string, topic?: string): void {
    this.send(topic === undefined ? { type: 'error', code, message } : { type: 'error', code, message, topic });
  }

  private sendSnapshot(topic: Topic): void {
    this.hub.counters.snapshots += 1;
    this.sendRaw(JSON.stringify({ type: 'snapshot', topic: topic.name, epoch: this.hub.epoch, seq: topic.seq, state: topic.state }));
  }

  private drop(): void {
    this.dropped += 1;
    this.hub.counters.eventsDropped += 1;
  }

  private watchDrain(): void {
    if (this.drainTimer) return;
    this.drainTimer = setInterval(() => {
      if (this.closed || this.socket.bufferedAmount > this.options.sendBufferBytes / 4) return;
      clearInterval(this.drainTimer);
      this.drainTimer = undefined;
      for (const name of this.stale) {
        const topic = this.subscriptions.get(name);
        if (!topic) continue;
        this.hub.counters.drainSnapshots += 1;
        this.sendSnapshot(topic);
      }
      this.stale.clear();
    }, this.options.drainCheckMs ?? 100);
    this.drainTimer.unref();
  }
}
