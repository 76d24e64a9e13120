import { describe, expect, it } from 'vitest';
import { followAgent } from '../../../daemon/src/lib/follow-agent.ts';
import { createLogger } from '../../../daemon/src/lib/logger.ts';

const log = createLogger('silent');
const until = async (ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('followAgent', () => {
  it('watches before loading the snapshot, and starts both again once the agent is back', async () => {
    const calls: string[] = [];
    const published: string[] = [];
    let endStream: (() => void) | undefined;
    let agentUp: (() => void) | undefined;
    let rounds = 0;
    const controller = new AbortController();
    followAgent<string>(
      {
        watch: (onEvent, signal) => {
          calls.push('watch');
          rounds += 1;
          onEvent(`event ${rounds}`);
          return new Promise<void>((resolve) => {
            endStream = resolve;
            signal.addEventListener('abort', () => resolve());
          });
        },
        snapshot: async () => (calls.push('snapshot'), `snapshot ${rounds}`),
        publish: (e) => published.push(e),
        // Up at first; after the stream ends, up only when the test says so.
        whenUp: (signal) => (rounds === 0 ? Promise.resolve() : new Promise<void>((resolve) => ((agentUp = resolve), signal.addEventListener('abort', () => resolve())))),
        log,
        what: 'test',
      },
      controller.signal,
    );
    await until(() => published.length === 2);
    expect(calls).toEqual(['watch', 'snapshot']);
    expect(published).toEqual(['event 1', 'snapshot 1']);

    endStream!(); // the agent went away
    await new Promise((r) => setTimeout(r, 1200));
    expect(calls).toHaveLength(2); // waiting for the agent, not polling it
    agentUp!();
    await until(() => published.length === 4);
    expect(calls).toEqual(['watch', 'snapshot', 'watch', 'snapshot']);
    expect(published.slice(2)).toEqual(['event 2', 'snapshot 2']);

    controller.abort();
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toHaveLength(4);
  });
});
