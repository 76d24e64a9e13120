// A streaming verb read as an async iterable (agent/event-stream.ts): every event in order, the
// producer held back past the bound, the producer's failure surfaced, the producer stopped when
// the reader stops early.
import { describe, expect, it } from 'vitest';
import { eventsOf } from '../../../daemon/src/agent/index.ts';

describe('eventsOf', () => {
  it('yields every event in order and holds the producer back past the bound', async () => {
    let maxAhead = 0;
    let produced = 0;
    let read = 0;
    const stream = eventsOf(async (onEvent) => {
      for (let i = 0; i < 50; i += 1) {
        produced += 1;
        maxAhead = Math.max(maxAhead, produced - read);
        await onEvent(`${i},`.padEnd(10, ' '));
      }
    }, new AbortController().signal, 100);
    const seen: string[] = [];
    for await (const text of stream) {
      read += 1;
      seen.push(text.split(',')[0]!);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(maxAhead).toBeLessThanOrEqual(12);
  });

  it('throws the producer’s failure after what it delivered', async () => {
    const stream = eventsOf(async (onEvent) => {
      await onEvent('one');
      throw new Error('journalctl exited with 1');
    }, new AbortController().signal);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const text of stream) seen.push(text);
      })(),
    ).rejects.toThrow('journalctl exited with 1');
    expect(seen).toEqual(['one']);
  });

  it('aborts the producer when the reader stops early', async () => {
    let aborted = false;
    const stream = eventsOf(async (onEvent, signal) => {
      signal.addEventListener('abort', () => (aborted = true));
      for (let i = 0; !signal.aborted; i += 1) await onEvent(String(i));
    }, new AbortController().signal, 10);
    for await (const text of stream) if (text === '3') break;
    expect(aborted).toBe(true);
  });
});
