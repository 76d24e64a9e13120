// A test client for the feed: collects every server message and waits for the ones a test needs.
import WebSocket from 'ws';
import type { ClientMessage, ServerMessage } from '../../daemon/src/protocol/index.ts';

export type FeedClientOptions = WebSocket.ClientOptions & { protocols?: string[] };

export class TestFeedClient {
  readonly socket: WebSocket;
  readonly messages: ServerMessage[] = [];
  closeEvent: { code: number; reason: string } | null = null;
  /** The protocol is JSON text: any binary frame from the server is a bug. */
  binaryFrames = 0;
  private waiters: (() => void)[] = [];

  /** `protocols`: the subprotocols offered (a session's token rides in one, as a browser's must). */
  constructor(url: string, options: FeedClientOptions = {}) {
    const { protocols, ...rest } = options;
    this.socket = new WebSocket(url, protocols ?? [], rest);
    this.socket.on('message', (data, isBinary) => {
      if (isBinary) this.binaryFrames += 1;
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      this.wake();
    });
    this.socket.on('close', (code, reason) => {
      this.closeEvent = { code, reason: reason.toString() };
      this.wake();
    });
    this.socket.on('error', () => this.wake());
  }

  static async open(httpUrl: string, options: FeedClientOptions = {}): Promise<TestFeedClient> {
    const client = new TestFeedClient(`${httpUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/api/v1/feed`, options);
    await client.waitFor((m) => m.type === 'hello');
    return client;
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Resolves with the first message (from index `from`) matching `predicate`. */
  async waitFor<T extends ServerMessage = ServerMessage>(predicate: (m: ServerMessage) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    for (;;) {
      const found = this.messages.slice(options.from ?? 0).find(predicate);
      if (found) return found as T;
      if (this.closeEvent) throw new Error(`socket closed (${this.closeEvent.code} ${this.closeEvent.reason}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a feed message; got ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closeEvent) {
      if (Date.now() > deadline) throw new Error('socket did not close in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closeEvent;
  }

  close(): void {
    this.socket.terminate();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
