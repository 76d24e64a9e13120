// Adapter: where one member's lines wait until its size is known (a tar header needs the size
// before the data). Small members stay in memory; larger ones go to a file in the bundle's private
// temp folder, so memory stays flat whatever the member's size.
//   head: keeps the first lines up to the cap and then refuses more (the producer stops).
//   tail: keeps the newest lines within the cap, on disk in two files that take turns, so at
//         most twice the cap is ever on disk; older lines are counted and left out.
import { createReadStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { NOTE_RESERVE } from './budget-pure.ts';

const MEMORY_BYTES = 256 * 1024;
const WRITE_BATCH = 64 * 1024;

export interface SpoolContent {
  size: number;
  /** Why the member was cut, or null. */
  truncated: string | null;
  chunks(): AsyncIterable<Buffer>;
}

export interface Spool {
  /** Offers lines (newlines included); false once a head spool is full: stop producing. */
  push(lines: readonly string[]): Promise<boolean>;
  /** Seals the spool; `note` renders the marker written into a cut member. */
  finish(note: (reason: string) => string): Promise<SpoolContent>;
  dispose(): Promise<void>;
}

class SpoolFile {
  size = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  readonly path: string;
  readonly #handle: FileHandle;

  private constructor(file: string, handle: FileHandle) {
    this.path = file;
    this.#handle = handle;
  }

  static async create(dir: string, name: string): Promise<SpoolFile> {
    const file = path.join(dir, name);
    return new SpoolFile(file, await open(file, 'wx', 0o600));
  }

  async write(bytes: Buffer): Promise<void> {
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    this.size += bytes.length;
    if (this.#pendingBytes >= WRITE_BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const data = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    let done = 0;
    while (done < data.length) done += (await this.#handle.write(data, done, data.length - done)).bytesWritten;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.#handle.close();
  }

  /** The first newline at or after `from`, looking at most `window` bytes ahead; -1 when none. */
  async newlineAfter(from: number, window: number): Promise<number> {
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(window, Math.max(0, this.size - from)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
      const at = buffer.subarray(0, bytesRead).indexOf(0x0a);
      return at < 0 ? -1 : from + at;
    } finally {
      await handle.close();
    }
  }
}

async function* readRange(file: string, start: number): AsyncIterable<Buffer> {
  for await (const chunk of createReadStream(file, { start, highWaterMark: 64 * 1024 })) yield chunk as Buffer;
}

/** Keeps the first `cap` bytes (a truncation note included). */
export function headSpool(dir: string, name: string, cap: number): Spool {
  const limit = Math.max(0, cap - NOTE_RESERVE);
  let memory: Buffer[] = [];
  let used = 0;
  let file: SpoolFile | null = null;
  let truncated: string | null = null;
  return {
    async push(lines) {
      if (truncated) return false;
      const taken: Buffer[] = [];
      let added = 0;
      for (const line of lines) {
        let bytes = Buffer.from(line, 'utf8');
        if (used + added + bytes.length > limit) {
          truncated = `reached its cap of ${cap} bytes`;
          // A single line longer than the whole cap is cut so the member shows its start.
          if (used + added > 0) break;
          bytes = bytes.subarray(0, limit);
        }
        taken.push(bytes);
        added += bytes.length;
        if (truncated) break;
      }
      used += added;
      const batch = Buffer.concat(taken);
      if (file) await file.write(batch);
      else if (used > MEMORY_BYTES) {
        file = await SpoolFile.create(dir, name);
        for (const b of memory) await file.write(b);
        memory = [];
        await file.write(batch);
      } else memory.push(batch);
      return truncated === null;
    },
    async finish(note) {
      await file?.close();
      const marker = truncated ? Buffer.from(note(truncated), 'utf8').subarray(0, NOTE_RESERVE) : Buffer.alloc(0);
      const held = file;
      const parts = memory;
      return {
        size: used + marker.length,
        truncated,
        async *chunks() {
          if (held) yield* readRange(held.path, 0);
          else yield* parts;
          if (marker.length > 0) yield marker;
        },
      };
    },
    async dispose() {
      memory = [];
      if (file) await rm(file.path, { force: true });
    },
  };
}

/** Keeps the newest lines within `cap` bytes (a note on what was left out included). */
export function tailSpool(dir: string, name: string, cap: number): Spool {
  const limit = Math.max(0, cap - NOTE_RESERVE);
  let turn = 0;
  let current: SpoolFile | null = null;
  let previous: SpoolFile | null = null;
  let dropped = 0;
  const fresh = async () => SpoolFile.create(dir, `${name}.${turn++}`);
  return {
    async push(lines) {
      current ??= await fresh();
      await current.write(Buffer.from(lines.join(''), 'utf8'));
      if (current.size >= limit) {
        await current.close();
        if (previous) {
          dropped += previous.size;
          await rm(previous.path, { force: true });
        }
        previous = current;
        current = await fresh();
      }
      return true;
    },
    async finish(note) {
      await current?.close();
      const tailSize = current?.size ?? 0;
      let start = 0;
      let fromPrevious = 0;
      if (previous) {
        start = Math.max(0, previous.size - (limit - tailSize));
        // Begin at a whole line: skip to just after the first newline (lines are at most ~1 MiB).
        if (start > 0) {
          const newline = await previous.newlineAfter(start - 1, 4 << 20);
          start = newline < 0 ? start : newline + 1;
        }
        fromPrevious = previous.size - start;
      }
      const cut = dropped + start;
      const why = `${cut} bytes of older lines left out to stay within ${cap} bytes`;
      const marker = cut > 0 ? Buffer.from(note(why), 'utf8').subarray(0, NOTE_RESERVE) : Buffer.alloc(0);
      const older = previous;
      const newer = current;
      return {
        size: marker.length + fromPrevious + tailSize,
        truncated: cut > 0 ? `kept the newest ${fromPrevious + tailSize} bytes; ${cut} bytes of older lines left out` : null,
        async *chunks() {
          if (marker.length > 0) yield marker;
          if (older && fromPrevious > 0) yield* readRange(older.path, start);
          if (newer && tailSize > 0) yield* readRange(newer.path, 0);
        },
      };
    },
    async dispose() {
      for (const f of [previous, current]) if (f) await rm(f.path, { force: true });
    },
  };
}
