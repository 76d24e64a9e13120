// One lane for mutations. Invariants:
//  1. At most one task runs at a time; the others wait in arrival order (FIFO).
//  2. Every task gets an AbortSignal; it fires when the runner stops, when the task's own deadline
//     passes, or when a task with `preempt` arrives while it runs (user actions may pre-empt
//     background work; a pre-empting task never aborts another pre-empting task).
//  3. A task that throws or is aborted never blocks the lane: the next one starts right after.
//  4. After stop(), queued tasks are rejected and new ones are refused.
//  5. A task started with `exclusive` (an upgrade) is never pre-empted: while it is queued or runs,
//     every other task is refused at once with `busy` naming it, instead of waiting behind it.
import { OutpostError } from '../lib/errors.ts';

export interface RunOptions {
  /** Abort the running background task (one not started with `preempt`) to go next. */
  preempt?: boolean;
  deadlineMs?: number;
  label?: string;
  /** Holds the lane alone: never pre-empted, and everything else is refused while it is queued or runs. */
  exclusive?: boolean;
}

interface Queued {
  task: (signal: AbortSignal) => Promise<unknown>;
  options: RunOptions;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class ExclusiveRunner {
  readonly #queue: Queued[] = [];
  #running: { controller: AbortController; options: RunOptions } | null = null;
  #stopped = false;
  #exclusive: string | null = null;

  get busy(): boolean {
    return this.#running !== null;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** The label of the exclusive task queued or running, if any. */
  get exclusiveLabel(): string | null {
    return this.#exclusive;
  }

  run<T>(task: (signal: AbortSignal) => Promise<T>, options: RunOptions = {}): Promise<T> {
    if (this.#stopped) return Promise.reject(new Error('the mutation lane is stopped'));
    if (this.#exclusive !== null) return Promise.reject(new OutpostError('busy', `busy: ${this.#exclusive} is running; try again when it has finished`));
    if (options.exclusive) this.#exclusive = options.label ?? 'an upgrade';
    return new Promise<T>((resolve, reject) => {
      const entry: Queued = { task, options, resolve: resolve as (v: unknown) => void, reject };
      if (options.preempt) {
        this.#queue.unshift(entry);
        if (this.#running && !this.#running.options.preempt && !this.#running.options.exclusive) this.#running.controller.abort(new Error(`pre-empted by ${options.label ?? 'a user action'}`));
      } else this.#queue.push(entry);
      this.#next();
    });
  }

  #next(): void {
    if (this.#running || this.#stopped) return;
    const entry = this.#queue.shift();
    if (!entry) return;
    const controller = new AbortController();
    this.#running = { controller, options: entry.options };
    const timer = entry.options.deadlineMs ? setTimeout(() => controller.abort(Object.assign(new Error(`${entry.options.label ?? 'task'} passed its deadline`), { name: 'TimeoutError' })), entry.options.deadlineMs) : undefined;
    void entry
      .task(controller.signal)
      .then(entry.resolve, entry.reject)
      .finally(() => {
        clearTimeout(timer);
        if (entry.options.exclusive) this.#exclusive = null;
        this.#running = null;
        this.#next();
      });
  }

  stop(): void {
    this.#stopped = true;
    this.#running?.controller.abort(new Error('the mutation lane is stopping'));
    for (const entry of this.#queue.splice(0)) entry.reject(new Error('the mutation lane stopped'));
    this.#exclusive = null;
  }
}
