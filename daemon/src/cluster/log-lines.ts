// Splitting a log byte stream into lines and dropping lines already delivered (pure). Lines come
// with the kubelet's RFC 3339 timestamp prefix (`timestamps=true`), which makes a re-opened stream
// resumable without duplicates.

export class LineSplitter {
  #rest = '';
  readonly #maxChars: number;

  constructor(maxChars = 16 * 1024) {
    this.#maxChars = maxChars;
  }

  push(chunk: string): string[] {
    const text = this.#rest + chunk;
    const parts = text.split('\n');
    this.#rest = parts.pop() ?? '';
    if (this.#rest.length > this.#maxChars) {
      parts.push(this.#rest.slice(0, this.#maxChars));
      this.#rest = '';
    }
    return parts;
  }

  flush(): string[] {
    const rest = this.#rest;
    this.#rest = '';
    return rest === '' ? [] : [rest];
  }
}

export interface StampedLine {
  stamp: string;
  ms: number;
  text: string;
}

export function parseStamped(line: string): StampedLine {
  const space = line.indexOf(' ');
  const stamp = space > 0 ? line.slice(0, space) : '';
  const ms = Date.parse(stamp);
  if (!Number.isFinite(ms)) return { stamp: '', ms: Number.NaN, text: line };
  return { stamp, ms, text: line.slice(space + 1) };
}

/** Whether a line is newer than the last one delivered (`after`), so a resumed stream skips repeats. */
export function isNewer(line: StampedLine, after: StampedLine | null): boolean {
  if (!after || !Number.isFinite(after.ms) || !Number.isFinite(line.ms)) return true;
  if (line.ms !== after.ms) return line.ms > after.ms;
  return line.stamp > after.stamp;
}
