// One browser upload of a bundle, as the Upgrades page shows it: bytes, rate, ETA, pause, resume,
// cancel, then what the device made of it (offered with its plan, or refused with its code). The
// transfer itself is tus (resumable); this class only keeps the state. Runes; tested without rendering.
import type { UploadStatus } from '@protocol';
import type { ApiError, UploadHandle, UploadHandlers } from '../../lib/api.ts';

export interface UploadPort {
  uploadBundle(file: File, handlers: UploadHandlers): Promise<UploadHandle>;
  uploadStatus(id: string): Promise<UploadStatus>;
}

export type UploadPhase = 'idle' | 'uploading' | 'paused' | 'verifying' | 'offered' | 'refused' | 'failed';

/** Rate over the last few seconds of progress, so a stall shows at once. */
const WINDOW_MS = 5000;
const POLL_MS = 1000;
/** While bytes flow in one long request, the page still says it is alive (the session's idle timeout). */
const KEEPALIVE_MS = 60_000;

export class UploadManager {
  #phase = $state<UploadPhase>('idle');
  #fileName = $state('');
  #sent = $state(0);
  #total = $state(0);
  #rate = $state(0);
  #result = $state<UploadStatus | null>(null);
  #error = $state<{ code: string; message: string } | null>(null);
  #handle: UploadHandle | null = null;
  #samples: { at: number; sent: number }[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #port: UploadPort;
  readonly #now: () => number;
  readonly #pollMs: number;

  constructor(port: UploadPort, options: { now?: () => number; pollMs?: number } = {}) {
    this.#port = port;
    this.#now = options.now ?? (() => Date.now());
    this.#pollMs = options.pollMs ?? POLL_MS;
  }

  get phase() {
    return this.#phase;
  }
  get fileName() {
    return this.#fileName;
  }
  get sent() {
    return this.#sent;
  }
  get total() {
    return this.#total;
  }
  /** Bytes a second over the last few seconds. */
  get rate() {
    return this.#rate;
  }
  /** Seconds left at the current rate, or null when unknown. */
  get eta(): number | null {
    return this.#rate > 0 ? Math.ceil((this.#total - this.#sent) / this.#rate) : null;
  }
  get result() {
    return this.#result;
  }
  get error() {
    return this.#error;
  }
  get busy() {
    return this.#phase === 'uploading' || this.#phase === 'paused' || this.#phase === 'verifying';
  }

  async start(file: File): Promise<void> {
    if (this.busy) return;
    this.#phase = 'uploading';
    this.#fileName = file.name;
    this.#total = file.size;
    this.#sent = 0;
    this.#rate = 0;
    this.#samples = [];
    this.#result = null;
    this.#error = null;
    try {
      this.#handle = await this.#port.uploadBundle(file, {
        onProgress: (sent, total) => this.#progress(sent, total),
        onSuccess: (id) => void this.#verify(id),
        onError: (error) => this.#fail(error),
      });
      this.#keepAlive();
    } catch (error) {
      this.#fail(error as ApiError);
    }
  }

  #progress(sent: number, total: number): void {
    const now = this.#now();
    this.#sent = sent;
    this.#total = total;
    this.#samples.push({ at: now, sent });
    while (this.#samples.length > 2 && now - this.#samples[0]!.at > WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0]!;
    this.#rate = now > first.at ? ((sent - first.sent) * 1000) / (now - first.at) : 0;
  }

  #keepAlive(): void {
    clearInterval(this.#timer);
    this.#timer = setInterval(() => {
      const id = this.#handle?.id;
      if (this.#phase === 'uploading' && id) void this.#port.uploadStatus(id).catch(() => undefined);
    }, KEEPALIVE_MS);
  }

  async #verify(id: string | null): Promise<void> {
    clearInterval(this.#timer);
    this.#sent = this.#total;
    this.#phase = 'verifying';
    if (!id) return this.#fail({ code: 'internal_error', message: 'the device did not name the upload' } as ApiError);
    for (;;) {
      try {
        const status = await this.#port.uploadStatus(id);
        if (status.state === 'offered' || status.state === 'refused') {
          this.#result = status;
          this.#error = status.error;
          this.#phase = status.state;
          return;
        }
      } catch (error) {
        if ((error as ApiError).code !== 'network_error') return this.#fail(error as ApiError);
      }
      await new Promise((r) => setTimeout(r, this.#pollMs));
    }
  }

  #fail(error: { code: string; message: string }): void {
    clearInterval(this.#timer);
    this.#error = { code: error.code, message: error.message };
    this.#phase = 'failed';
    this.#rate = 0;
  }

  async pause(): Promise<void> {
    if (this.#phase !== 'uploading' || !this.#handle) return;
    await this.#handle.pause();
    this.#phase = 'paused';
    this.#rate = 0;
    this.#samples = [];
  }

  resume(): void {
    if ((this.#phase !== 'paused' && this.#phase !== 'failed') || !this.#handle) return;
    this.#error = null;
    this.#phase = 'uploading';
    this.#handle.resume();
    this.#keepAlive();
  }

  async cancel(): Promise<void> {
    clearInterval(this.#timer);
    const handle = this.#handle;
    this.#handle = null;
    this.#phase = 'idle';
    this.#rate = 0;
    this.#samples = [];
    await handle?.cancel().catch(() => undefined);
  }

  /** Back to picking a file (after an outcome). */
  reset(): void {
    if (this.busy) return;
    this.#phase = 'idle';
    this.#result = null;
    this.#error = null;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
