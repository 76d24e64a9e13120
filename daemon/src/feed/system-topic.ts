// The `system` topic: version, uptime, connected clients and server time, ticked at a fixed rate.
import type { FeedHub } from './hub.ts';
import { reduceSystem, type SystemEvent, type SystemState } from '../protocol/system.ts';

export interface SystemTopicOptions {
  version: string;
  intervalMs: number;
  clientCount: () => number;
  now?: () => number;
}

/** Defines the topic and starts ticking; returns the function that stops it. */
export function startSystemTopic(hub: FeedHub, options: SystemTopicOptions): () => void {
  const now = options.now ?? (() => performance.timeOrigin + performance.now());
  const startedAt = now();
  const topic = hub.define<SystemState, SystemEvent>({
    name: 'system',
    initial: { version: options.version, startedAt: Math.round(startedAt), uptimeS: 0, clients: 0, serverTime: startedAt },
    reduce: reduceSystem,
    policy: 'viewer',
    kiosk: true,
  });
  const timer = setInterval(() => {
    const t = now();
    topic.publish({ kind: 'system.tick.v1', uptimeS: Math.floor((t - startedAt) / 1000), clients: options.clientCount(), serverTime: t });
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
