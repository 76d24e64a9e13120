// The one WebSocket to the daemon. Connects, says which topics it wants, resumes from the last
// sequence after a reconnect, and retries with capped backoff. Status: connecting -> live; on loss
// reconnecting; offline when it has been failing longer than `offlineAfterMs` (it keeps retrying).
import { FEED_CLOSE, FEED_PATH, type ClientMessage, type ServerMessage, type TopicName } from '@protocol';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { TopicView } from './topic-view.svelte.ts';
import { LogsView } from './logs-view.svelte.ts';
import type { LogsEvent, LogsState, LogsTarget } from '@protocol';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** The part of the browser WebSocket the client uses; tests hand in a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface FeedClientOptions {
  url?: string;
  createSocket?: (url: string) => SocketLike;
  backoff?: BackoffOptions;
  offlineAfterMs?: number;
  now?: () => number;
  /** Told when the server ends the socket because the session ended (close code 4001). */
  onSessionEnded?: (reason: string) => void;
  /** Told after each failed (re)connect attempt, so the page can re-check its session. */
  onRetry?: (attempt: number) => void;
}

const OPEN = 1;

export function defaultFeedUrl(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${FEED_PATH}`;
}

export class FeedClient {
  #status = $state<ConnectionStatus>('connecting');
  #serverVersion = $state<string | null>(null);
  #closeReason = $state<string | null>(null);
  #retryAt = $state<number | null>(null);
  #reconnects = $state(0);

  readonly #options: Required<Omit<FeedClientOptions, 'url' | 'onSessionEnded' | 'onRetry'>> & Pick<FeedClientOptions, 'onSessionEnded' | 'onRetry'> & { url: string };
  // Each view holds its own reactive state; the map itself only routes messages.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #views = new Map<TopicName, TopicView<TopicName>>();
  // Parameterised `logs:` topics, subscribed while a log viewer holds them.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #logViews = new Map<string, LogsView>();
  // Topics waiting for the answer to a resync after a gap (one request each, not one per event).
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #resyncing = new Set<string>();
  #socket: SocketLike | null = null;
  #attempt = 0;
  #failingSince: number | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #heartbeatMs = 15_000;
  #stopped = true;

  constructor(options: FeedClientOptions = {}) {
    this.#options = {
      url: options.url ?? defaultFeedUrl(window.location),
      createSocket: options.createSocket ?? ((url) => new WebSocket(url)),
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      offlineAfterMs: options.offlineAfterMs ?? 20_000,
      now: options.now ?? Date.now,
      onSessionEnded: options.onSessionEnded,
      onRetry: options.onRetry,
    };
  }

  get status(): ConnectionStatus {
    return this.#status;
  }
  get serverVersion(): string | null {
    return this.#serverVersion;
  }
  /** Why the server last closed the socket, when it said. */
  get closeReason(): string | null {
    return this.#closeReason;
  }
  get retryAt(): number | null {
    return this.#retryAt;
  }
  get reconnects(): number {
    return this.#reconnects;
  }

  /** The live view of a topic; subscribing is idempotent and survives reconnects. */
  topic<T extends TopicName>(name: T): TopicView<T> {
    let view = this.#views.get(name) as TopicView<T> | undefined;
    if (!view) {
      view = new TopicView(name);
      this.#views.set(name, view as unknown as TopicView<TopicName>);
      this.#sendSubscribe(view);
    }
    return view;
  }

  /** Follows one container's log; `release` unsubscribes (call it when the viewer closes). */
  logs(target: LogsTarget): { view: LogsView; release: () => void } {
    const fresh = new LogsView(target);
    const held = this.#logViews.get(fresh.topic) ?? fresh;
    if (held === fresh) {
      this.#logViews.set(fresh.topic, fresh);
      this.#send({ type: 'subscribe', topic: fresh.topic });
    }
    return {
      view: held,
      release: () => {
        if (this.#logViews.get(held.topic) !== held) return;
        this.#logViews.delete(held.topic);
        this.#send({ type: 'unsubscribe', topic: held.topic });
      },
    };
  }

  /** Connects; the returned cleanup closes the socket and stops retrying. */
  listen(): () => void {
    this.#stopped = false;
    this.#connect();
    return () => {
      this.#stopped = true;
      clearTimeout(this.#retryTimer);
      clearTimeout(this.#watchdog);
      this.#socket?.close(1000, 'page closed');
      this.#socket = null;
    };
  }

  #connect(): void {
    this.#retryAt = null;
    let socket: SocketLike;
    try {
      socket = this.#options.createSocket(this.#options.url);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    socket.onmessage = (ev) => this.#onMessage(socket, ev);
    socket.onclose = (ev) => this.#onClose(socket, ev);
    socket.onerror = () => undefined;
    this.#armWatchdog(socket);
  }

  #onMessage(socket: SocketLike, ev: MessageEvent): void {
    if (socket !== this.#socket) return;
    let message: ServerMessage;
    try {
      message = JSON.parse(String(ev.data)) as ServerMessage;
    } catch {
      return;
    }
    this.#handle(message);
    if (socket === this.#socket) this.#armWatchdog(socket);
  }

  #handle(message: ServerMessage): void {
    const now = this.#options.now();
    switch (message.type) {
      case 'hello':
        this.#resyncing.clear();
        this.#heartbeatMs = message.heartbeatMs;
        this.#serverVersion = message.version;
        if (this.#status !== 'connecting') this.#reconnects += 1;
        this.#status = 'live';
        this.#closeReason = null;
        this.#attempt = 0;
        this.#failingSince = null;
        for (const view of this.#views.values()) this.#sendSubscribe(view);
        for (const view of this.#logViews.values()) {
          const resume = view.resumePoint();
          this.#send(resume ? { type: 'subscribe', topic: view.topic, resume } : { type: 'subscribe', topic: view.topic });
        }
        break;
      case 'snapshot': {
        this.#resyncing.delete(message.topic);
        const logs = this.#logViews.get(message.topic);
        if (logs) logs.applySnapshot(message.epoch, message.seq, message.state as unknown as LogsState);
        else this.#views.get(message.topic)?.applySnapshot(message.epoch, message.seq, message.state, now);
        break;
      }
      case 'event': {
        const logs = this.#logViews.get(message.topic);
        const view = logs ?? this.#views.get(message.topic);
        const applied = logs ? logs.applyEvent(message.seq, message.event as unknown as LogsEvent) : view?.applyEvent(message.seq, message.event as never, now);
        // A gap: ask once to resume from the last event applied (a repeat subscribe without `resume`
        // is a no-op for the server); the answer (`resumed` or a snapshot) clears the request.
        if (view && applied === false && !this.#resyncing.has(message.topic)) {
          this.#resyncing.add(message.topic);
          const resume = view.resumePoint();
          this.#send(resume ? { type: 'subscribe', topic: message.topic, resume } : { type: 'subscribe', topic: message.topic });
        }
        break;
      }
      case 'error':
        if (message.topic) (this.#logViews.get(message.topic) ?? this.#views.get(message.topic as TopicName))?.fail(message.message);
        break;
      case 'resumed':
        this.#resyncing.delete(message.topic);
        break;
      case 'unsubscribed':
      case 'heartbeat':
        break;
    }
  }

  #onClose(socket: SocketLike, ev: CloseEvent): void {
    if (socket !== this.#socket) return;
    this.#socket = null;
    clearTimeout(this.#watchdog);
    if (ev.reason) this.#closeReason = ev.reason;
    if (this.#stopped) return;
    if (ev.code === FEED_CLOSE.sessionEnded.code) {
      // Reconnecting cannot help: the session is gone. The page shows the login with the reason.
      this.#stopped = true;
      this.#status = 'offline';
      this.#options.onSessionEnded?.(ev.reason || FEED_CLOSE.sessionEnded.reason);
      return;
    }
    this.#scheduleRetry();
    this.#options.onRetry?.(this.#attempt);
  }

  #scheduleRetry(): void {
    const now = this.#options.now();
    this.#failingSince ??= now;
    this.#status = now - this.#failingSince >= this.#options.offlineAfterMs ? 'offline' : 'reconnecting';
    const delay = backoffDelay(this.#attempt, this.#options.backoff);
    this.#attempt += 1;
    this.#retryAt = now + delay;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (!this.#stopped) this.#connect();
    }, delay);
  }

  /** A silent server (no message, not even a heartbeat) for 2.5 intervals counts as lost. */
  #armWatchdog(socket: SocketLike): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      socket.close(4000, 'no heartbeat');
      if (!this.#stopped) this.#scheduleRetry();
    }, this.#heartbeatMs * 2.5);
  }

  #sendSubscribe(view: TopicView<TopicName>): void {
    const resume = view.resumePoint();
    this.#send(resume ? { type: 'subscribe', topic: view.topic, resume } : { type: 'subscribe', topic: view.topic });
  }

  #send(message: ClientMessage): void {
    if (this.#socket?.readyState === OPEN && this.#status === 'live') this.#socket.send(JSON.stringify(message));
  }
}
