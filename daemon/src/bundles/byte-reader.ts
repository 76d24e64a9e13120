// Pulls exact byte counts out of any async chunk source (file, upload, USB) without buffering more
// than one chunk: small reads (headers, manifest) are copied, payload bodies are handed out as
// zero-copy slices. Checks the abort signal between chunks, so a stalled source can be cut off.
import { BundleError } from './errors.ts';

export class ByteReader {
  readonly #iterator: AsyncIterator<Uint8Array>;
  readonly #signal: AbortSignal | undefined;
  #chunk: Uint8Array = new Uint8Array(0);
  #offset = 0;
  #ended = false;
  #reading = false;
  /** Bytes consumed so far. */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array>, signal?: AbortSignal) {
    this.#iterator = source[Symbol.asyncIterator]();
    this.#signal = signal;
  }

  async #fill(): Promise<boolean> {
    while (this.#offset >= this.#chunk.length) {
      if (this.#ended) return false;
      if (this.#signal?.aborted) throw new BundleError('bundle.aborted', 'verification was cancelled', { cause: this.#signal.reason });
      let next: IteratorResult<Uint8Array>;
      try {
        next = await this.#nextChunk();
      } catch (error) {
        if (error instanceof BundleError) throw error;
        throw new BundleError('bundle.source_unreadable', `reading the bundle failed at byte ${this.position}: ${(error as Error).message}`, { cause: error });
      }
      if (this.#signal?.aborted) throw new BundleError('bundle.aborted', 'verification was cancelled', { cause: this.#signal.reason });
      if (next.done) {
        this.#ended = true;
        return false;
      }
      if (!(next.value instanceof Uint8Array)) throw new TypeError('bundle source must yield bytes');
      this.#chunk = next.value;
      this.#offset = 0;
    }
    return true;
  }

  /** The source's next chunk, or bundle.aborted as soon as the signal fires, even if the source stalls. */
  #nextChunk(): Promise<IteratorResult<Uint8Array>> {
    const signal = this.#signal;
    this.#reading = true;
    const next = this.#iterator.next().finally(() => (this.#reading = false));
    if (!signal) return next;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new BundleError('bundle.aborted', 'verification was cancelled', { cause: signal.reason }));
      signal.addEventListener('abort', onAbort, { once: true });
      next.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /** Up to n bytes copied into one buffer; shorter only when the source ended. */
  async read(n: number): Promise<Buffer> {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n && (await this.#fill())) {
      const take = Math.min(n - filled, this.#chunk.length - this.#offset);
      out.set(this.#chunk.subarray(this.#offset, this.#offset + take), filled);
      this.#offset += take;
      filled += take;
    }
    this.position += filled;
    return filled === n ? out : out.subarray(0, filled);
  }

  /** Yields the next n bytes as slices of the source's own chunks; ends early only when the source did. */
  async *slices(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0 && (await this.#fill())) {
      const take = Math.min(left, this.#chunk.length - this.#offset);
      const slice = this.#chunk.subarray(this.#offset, this.#offset + take);
      this.#offset += take;
      left -= take;
      this.position += take;
      yield slice;
    }
  }

  /** Skips n bytes; returns how many were there. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n && (await this.#fill())) {
      const take = Math.min(n - skipped, this.#chunk.length - this.#offset);
      this.#offset += take;
      skipped += take;
    }
    this.position += skipped;
    return skipped;
  }

  /**
   * Stops the source early (closes a file, destroys a stream). When a read is still pending (a
   * stalled source after an abort), an async generator would only run return() after that read,
   * so it is asked without waiting.
   */
  async close(): Promise<void> {
    const stopping = this.#iterator.return?.();
    if (this.#reading) void stopping?.catch(() => undefined);
    else await stopping;
  }
}
