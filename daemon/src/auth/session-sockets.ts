// Live feed sockets by session, so logout, expiry, password change and user disable close them with
// a reason. A periodic check re-reads each session, which also catches changes made by the CLI.
import type { SessionStore } from './sessions.ts';
import { FEED_CLOSE } from '../protocol/feed.ts';

type Close = (code: number, reason: string) => void;

export class SessionSockets {
  private readonly bySession = new Map<string, Set<Close>>();
  private readonly sessions: SessionStore;

  constructor(sessions: SessionStore) {
    this.sessions = sessions;
  }

  get size(): number {
    let n = 0;
    for (const set of this.bySession.values()) n += set.size;
    return n;
  }

  /** Registers a socket's close function; returns the function that unregisters it. */
  add(idHash: string, close: Close): () => void {
    let set = this.bySession.get(idHash);
    if (!set) this.bySession.set(idHash, (set = new Set()));
    set.add(close);
    return () => {
      set.delete(close);
      if (set.size === 0) this.bySession.delete(idHash);
    };
  }

  closeSession(idHash: string, reason: string): void {
    const set = this.bySession.get(idHash);
    if (!set) return;
    this.bySession.delete(idHash);
    for (const close of set) close(FEED_CLOSE.sessionEnded.code, reason);
  }

  /** Closes the sockets of every session that is no longer live. */
  check(now = Date.now()): void {
    for (const idHash of [...this.bySession.keys()]) {
      const result = this.sessions.lookup(idHash, now);
      if ('ended' in result) this.closeSession(idHash, result.ended ?? FEED_CLOSE.sessionEnded.reason);
    }
  }

  /** Starts the periodic check; returns the function that stops it. */
  watch(intervalMs: number): () => void {
    const timer = setInterval(() => this.check(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
