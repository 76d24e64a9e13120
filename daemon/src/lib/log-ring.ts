// The daemon's recent log lines in memory, for the support bundle: a pino destination beside
// stdout. In a checkout nobody keeps stdout; on a device journald does, and this ring is a second
// copy of the last minutes. Invariant: at most `maxLines` lines and about `maxBytes` characters,
// each line cut at `maxLineChars`; writing never fails and never blocks.

export interface LogRingOptions {
  maxLines?: number;
  maxBytes?: number;
  maxLineChars?: number;
}

export class LogRing {
  readonly #slots: (string | undefined)[];
  readonly #maxBytes: number;
  readonly #maxLineChars: number;
  #head = 0;
  #length = 0;
  #bytes = 0;

  constructor(options: LogRingOptions = {}) {
    this.#slots = new Array<string | undefined>(options.maxLines ?? 5000);
    this.#maxBytes = options.maxBytes ?? 4 << 20;
    this.#maxLineChars = options.maxLineChars ?? 16 * 1024;
  }

  /** pino's destination interface: one or more newline-terminated lines. */
  write(chunk: string): boolean {
    for (const raw of chunk.split('\n')) if (raw !== '') this.#push(raw.length > this.#maxLineChars ? `${raw.slice(0, this.#maxLineChars)}…` : raw);
    return true;
  }

  /** The lines held, oldest first. */
  lines(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.#length; i += 1) out.push(this.#slots[(this.#head + i) % this.#slots.length]!);
    return out;
  }

  get size(): number {
    return this.#length;
  }

  #push(line: string): void {
    const capacity = this.#slots.length;
    if (capacity === 0) return;
    if (this.#length === capacity) this.#dropOldest();
    this.#slots[(this.#head + this.#length) % capacity] = line;
    this.#length += 1;
    this.#bytes += line.length;
    while (this.#bytes > this.#maxBytes && this.#length > 1) this.#dropOldest();
  }

  #dropOldest(): void {
    const oldest = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#slots.length;
    this.#length -= 1;
    this.#bytes -= oldest?.length ?? 0;
  }
}
