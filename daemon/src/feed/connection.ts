// One feed client. Owns its subscriptions, its send budget and the rate of what it sends.
// Invariants (docs/protocol.md, "Budgets and rates"):
// - Every frame is checked against the budget (`sendBufferBytes` queued but not yet on the network)
//   before it is written, so bytes queued never exceed the budget plus one message.
// - Past the budget, events are dropped and their topic marked stale; a snapshot (new subscription,
//   or a resume that cannot be replayed within the budget) is deferred the same way; a heartbeat is
//   skipped. Any other reply (resumed, unsubscribed, error, pong) would be an answer to a client that
//   is not reading what it has: the connection is closed (1008) and nothing is queued.
// - Once the queue has drained below a quarter of the budget, each stale topic gets one snapshot.
// - A subscribe for a topic already held changes nothing and sends nothing, unless it carries
//   `resume`: then it is answered like a new subscription (the missed events, or a snapshot).
// - Each incoming frame (message, ping, pong) spends a token; an empty bucket closes the connection.
//   A frame is handled to completion before the next is read: there is no per-connection work queue.
import type { FeedHub } from './hub.ts';
import type { Topic, TopicListener } from './topic.ts';
import { parseClientMessage } from './client-message.ts';
import { FrameRate } from './frame-rate.ts';
import type { ErrorCode } from '../protocol/errors.ts';
import { FEED_CLOSE, type ResumePoint, type ServerMessage } from '../protocol/feed.ts';

/** The slice of a ws WebSocket a connection needs; tests can hand in their own. */
export interface FeedSocket {
  readonly bufferedAmount: number;
  /** Events are pre-encoded once per publish; they must still go out as text frames. */
  send(data: Buffer | string, options: { binary: false }): void;
  pong?(data: Buffer): void;
}

export type FeedClose = { code: number; reason: string };

const TEXT = { binary: false } as const;

export const DEFAULT_FRAMES_PER_SECOND = 20;
export const DEFAULT_FRAME_BURST = 120;

export interface FeedConnectionOptions {
  sendBufferBytes: number;
  maxSubscriptions: number;
  drainCheckMs?: number;
  /** Whether this client may subscribe to a topic (role and listener checks live with the caller). */
  mayAccess?: (topic: string) => boolean;
  /** Incoming frames: the sustained rate and the burst allowed on top of it. */
  framesPerSecond?: number;
  frameBurst?: number;
  /** Who this connection acts for (a session), for the per-owner stream cap; none: the per-connection cap alone. */
  owner?: string;
  /** Told once when the client broke a rule; the server closes the socket with this code. */
  onViolation?: (close: FeedClose) => void;
  now?: () => number;
}

export class FeedConnection implements TopicListener {
  private readonly subscriptions = new Map<string, Topic>();
  private readonly streams = new Set<string>();
  private readonly stale = new Set<string>();
  private drainTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly socket: FeedSocket;
  private readonly hub: FeedHub;
  private readonly options: FeedConnectionOptions;
  private readonly rate: FrameRate;
  private readonly now: () => number;
  private readonly owner: string | undefined;
  dropped = 0;

  constructor(socket: FeedSocket, hub: FeedHub, options: FeedConnectionOptions) {
    this.socket = socket;
    this.hub = hub;
    this.options = options;
    this.now = options.now ?? (() => performance.now());
    this.rate = new FrameRate(options.framesPerSecond ?? DEFAULT_FRAMES_PER_SECOND, options.frameBurst ?? DEFAULT_FRAME_BURST, this.now());
    this.owner = options.owner;
  }

  get topics(): string[] {
    return [...this.subscriptions.keys()];
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Handles one text frame from the client. */
  receive(text: string): void {
    if (!this.admit()) return;
    const parsed = parseClientMessage(text);
    if (!parsed.ok) return this.sendError('feed_bad_message', parsed.reason);
    const message = parsed.message;
    if (message.type === 'subscribe') this.subscribe(message.topic, message.resume);
    else this.unsubscribe(message.topic);
  }

  receiveBinary(): void {
    if (this.admit()) this.sendError('feed_bad_message', 'binary frames are not accepted');
  }

  /** A ping from the client: answered with a pong, which counts like any other reply. */
  receivePing(data: Buffer): void {
    if (this.admit() && this.roomForReply()) this.socket.pong?.(data);
  }

  receivePong(): void {
    this.admit();
  }

  subscribe(name: string, resume?: ResumePoint): void {
    const access = this.hub.accessOf(name);
    if (access === undefined || (this.options.mayAccess && !this.options.mayAccess(name))) {
      return this.sendError('feed_unknown_topic', `no topic named ${name}`, name);
    }
    const held = this.subscriptions.get(name);
    if (held) {
      // Idempotent: a repeat changes nothing. Only a resume asks for an answer, and a stale topic
      // already has its snapshot coming once the client drains.
      if (resume && !this.stale.has(name)) this.answer(held, resume);
      return;
    }
    if (this.subscriptions.size >= this.options.maxSubscriptions) {
      return this.sendError('feed_too_many_subscriptions', `at most ${this.options.maxSubscriptions} topics per connection`, name);
    }
    if (access.dynamic) {
      const limits = this.hub.streamLimits;
      if (this.streams.size >= limits.perConnection) {
        return this.sendError('feed_too_many_streams', `at most ${limits.perConnection} live streams per connection; close one and try again`, name);
      }
      if (this.owner !== undefined && !this.hub.acquireStream(this.owner)) {
        return this.sendError('feed_too_many_streams', `at most ${limits.perOwner} live streams per session; close one and try again`, name);
      }
    }
    const topic = this.hub.resolve(name);
    if ('error' in topic) {
      if (access.dynamic && this.owner !== undefined) this.hub.releaseStream(this.owner);
      if (topic.error === 'full') {
        return this.sendError('feed_too_many_streams', 'too many live streams are open on this device; close one and try again', name);
      }
      if (topic.error === 'refused') return this.sendError(topic.code, topic.message, name);
      return this.sendError('feed_unknown_topic', `no topic named ${name}`, name);
    }
    this.subscriptions.set(name, topic);
    if (access.dynamic) this.streams.add(name);
    topic.addListener(this);
    this.answer(topic, resume);
  }

  unsubscribe(name: string): void {
    this.leave(name);
    this.reply({ type: 'unsubscribed', topic: name });
  }

  onEvent(topic: string, _seq: number, encoded: Buffer): void {
    if (this.closed) return;
    if (this.stale.has(topic)) {
      this.drop();
      return;
    }
    if (this.overBudget()) {
      this.stale.add(topic);
      this.drop();
      this.watchDrain();
      return;
    }
    this.socket.send(encoded, TEXT);
  }

  /** Sends a message the client did not ask for unless it is over budget (heartbeats are skippable). */
  sendIfRoom(message: ServerMessage): void {
    if (!this.closed && !this.overBudget()) this.sendRaw(JSON.stringify(message));
  }

  /** The first frame (`hello`), written before anything can be queued. */
  send(message: ServerMessage): void {
    this.sendRaw(JSON.stringify(message));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const name of [...this.subscriptions.keys()]) this.leave(name);
    this.stale.clear();
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.drainTimer = undefined;
  }

  private leave(name: string): void {
    const topic = this.subscriptions.get(name);
    this.subscriptions.delete(name);
    this.stale.delete(name);
    if (this.streams.delete(name) && this.owner !== undefined) this.hub.releaseStream(this.owner);
    // Last: a dynamic topic stops its upstream work when its last listener leaves.
    topic?.removeListener(this);
  }

  /** Answers a (re)subscription: the missed events when they fit the budget, else one snapshot. */
  private answer(topic: Topic, resume: ResumePoint | undefined): void {
    if (this.overBudget()) return this.deferSnapshot(topic);
    const missed = resume && resume.epoch === this.hub.epoch ? topic.eventsAfter(resume.seq) : null;
    const frames = resume && missed ? this.encodeWithin(topic.name, resume.seq, missed) : null;
    if (resume && missed && frames) {
      this.hub.counters.resumes += 1;
      this.sendRaw(JSON.stringify({ type: 'resumed', topic: topic.name, seq: resume.seq, missed: missed.length }));
      for (const frame of frames) this.sendRaw(frame);
      return;
    }
    this.sendSnapshot(topic);
  }

  /** The missed events as frames, or null as soon as they would not fit the room left in the budget. */
  private encodeWithin(topic: string, after: number, missed: unknown[]): string[] | null {
    const room = this.options.sendBufferBytes - this.socket.bufferedAmount;
    const frames: string[] = [];
    let bytes = 0;
    for (const [i, event] of missed.entries()) {
      const frame = JSON.stringify({ type: 'event', topic, seq: after + i + 1, event });
      bytes += Buffer.byteLength(frame);
      if (bytes > room) return null;
      frames.push(frame);
    }
    return frames;
  }

  /** Nothing is encoded for a client over its budget: the topic is marked, its snapshot goes out on drain. */
  private deferSnapshot(topic: Topic): void {
    this.hub.counters.snapshotsDeferred += 1;
    this.stale.add(topic.name);
    this.watchDrain();
  }

  private admit(): boolean {
    if (this.closed) return false;
    if (this.rate.take(this.now())) return true;
    this.hub.counters.closedTooManyMessages += 1;
    this.violate(FEED_CLOSE.tooManyMessages);
    return false;
  }

  private overBudget(): boolean {
    return this.socket.bufferedAmount > this.options.sendBufferBytes;
  }

  /** Whether a reply may be written; a client over its budget that still asks for replies is closed. */
  private roomForReply(): boolean {
    if (this.closed) return false;
    if (!this.overBudget()) return true;
    this.hub.counters.closedOverBudget += 1;
    this.violate(FEED_CLOSE.overBudget);
    return false;
  }

  private reply(message: ServerMessage): void {
    if (this.roomForReply()) this.sendRaw(JSON.stringify(message));
  }

  private violate(close: FeedClose): void {
    this.close();
    this.options.onViolation?.({ code: close.code, reason: close.reason });
  }

  private sendRaw(text: string): void {
    if (!this.closed) this.socket.send(text, TEXT);
  }

  private sendError(code: ErrorCode, message: string, topic?: string): void {
    this.reply(topic === undefined ? { type: 'error', code, message } : { type: 'error', code, message, topic });
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
