// Splits a member's chunks into lines for the scrubber (pure). A line longer than `maxChars` is cut
// into pieces so memory stays bounded whatever a source sends.

export const MAX_LINE_CHARS = 1 << 20;

export class LineBuffer {
  #rest = '';
  readonly #decoder = new TextDecoder('utf-8', { fatal: false });
  readonly #maxChars: number;

  constructor(maxChars = MAX_LINE_CHARS) {
    this.#maxChars = maxChars;
  }

  /** The complete lines in `chunk` (without their newline), given what came before. */
  push(chunk: string | Uint8Array): string[] {
    const text = this.#rest + (typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true }));
    const parts = text.split('\n');
    this.#rest = parts.pop() ?? '';
    const out: string[] = [];
    for (const part of parts) out.push(...this.#cut(part));
    while (this.#rest.length > this.#maxChars) {
      out.push(this.#rest.slice(0, this.#maxChars));
      this.#rest = this.#rest.slice(this.#maxChars);
    }
    return out;
  }

  /** The last line when the source did not end with a newline. */
  end(): string[] {
    const rest = this.#rest + this.#decoder.decode();
    this.#rest = '';
    return rest === '' ? [] : this.#cut(rest);
  }

  #cut(line: string): string[] {
    if (line.length <= this.#maxChars) return [line];
    const pieces: string[] = [];
    for (let i = 0; i < line.length; i += this.#maxChars) pieces.push(line.slice(i, i + this.#maxChars));
    return pieces;
  }
}
