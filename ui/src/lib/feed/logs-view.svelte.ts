// The live state of one `logs:<namespace>/<pod>/<container>` topic on the client: a snapshot of the
// last lines, then line batches applied with the same pure reducer as the server.
import { initialLogsState, logsTopicName, reduceLogs, type LogsEvent, type LogsState, type LogsTarget } from '@protocol';

export class LogsView {
  readonly topic: string;
  #state = $state.raw<LogsState>(initialLogsState({ namespace: '', pod: '', container: '' }));
  #ready = $state(false);
  #seq = 0;
  #epoch: string | null = null;

  constructor(target: LogsTarget) {
    this.topic = logsTopicName(target);
    this.#state = initialLogsState(target);
  }

  get state(): LogsState {
    return this.#state;
  }
  get ready(): boolean {
    return this.#ready;
  }

  resumePoint(): { epoch: string; seq: number } | undefined {
    return this.#epoch !== null && this.#ready ? { epoch: this.#epoch, seq: this.#seq } : undefined;
  }

  applySnapshot(epoch: string, seq: number, state: LogsState): void {
    this.#epoch = epoch;
    this.#seq = seq;
    this.#state = state;
    this.#ready = true;
  }

  /** False on a gap in sequence numbers: the caller asks for a fresh snapshot. */
  applyEvent(seq: number, event: LogsEvent): boolean {
    if (!this.#ready || seq !== this.#seq + 1) return seq <= this.#seq;
    this.#state = reduceLogs(this.#state, event);
    this.#seq = seq;
    return true;
  }

  fail(message: string): void {
    this.#state = { ...this.#state, error: message };
  }
}
