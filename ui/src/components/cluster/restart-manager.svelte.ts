// The restart flow: ask (a dialog naming the object), post, and when the API answers that a pod
// has no controller (`pod_not_recreated`), ask again with that warning before deleting it.
// While the cluster API does not answer, restarts are blocked and `blocked` says why.
import type { ClusterStatus, RestartableKind, WorkloadSummary } from '@protocol';
import { ApiError, type ApiClient } from '../../lib/api.ts';

export type RestartTarget = Pick<WorkloadSummary, 'namespace' | 'kind' | 'name' | 'key' | 'recreated'>;

export class RestartManager {
  readonly #api: ApiClient;
  #asking = $state<RestartTarget | null>(null);
  #warning = $state<string | null>(null);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #lastActionId = $state<string | null>(null);

  readonly #cluster: () => ClusterStatus | null;

  /** `cluster` reads the live connection state (the `cluster` topic's status). */
  constructor(api: ApiClient, cluster: () => ClusterStatus | null = () => null) {
    this.#api = api;
    this.#cluster = cluster;
  }

  /** Why restarts cannot be asked for right now, or null. */
  get blocked(): string | null {
    const state = this.#cluster()?.state;
    if (state === 'unreachable') return 'The cluster API is not answering: restarts are off until it answers again.';
    if (state === 'connecting') return 'Connecting to the cluster: restarts are off until it answers.';
    if (state === 'none') return 'No cluster is configured on this device.';
    return null;
  }

  get asking(): RestartTarget | null {
    return this.#asking;
  }
  /** Set when the API said deleting this pod removes it for good. */
  get warning(): string | null {
    return this.#warning;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get error(): string | null {
    return this.#error;
  }
  get lastActionId(): string | null {
    return this.#lastActionId;
  }

  ask(target: RestartTarget): void {
    this.#asking = target;
    this.#error = null;
    this.#warning = target.kind === 'pod' && !target.recreated ? 'Nothing will recreate this pod: restarting deletes it for good.' : null;
  }

  cancel(): void {
    this.#asking = null;
    this.#warning = null;
    this.#error = null;
  }

  async confirm(): Promise<void> {
    const target = this.#asking;
    if (!target || this.#busy) return;
    if (this.blocked) {
      this.#error = this.blocked;
      return;
    }
    this.#busy = true;
    this.#error = null;
    try {
      const which = { namespace: target.namespace, kind: target.kind as RestartableKind, name: target.name };
      const answer = await this.#api.restartWorkload(which, this.#warning !== null);
      this.#lastActionId = answer.action.id;
      this.#asking = null;
      this.#warning = null;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'pod_not_recreated') this.#warning = error.message;
      else this.#error = error instanceof Error ? error.message : String(error);
    } finally {
      this.#busy = false;
    }
  }
}
