// The plan page's state: load a plan (an offered bundle's, or a release's rollback plan), check it
// again on request, ask before acting (a confirmation naming the release and both versions), then
// apply or roll back. A blocked plan is never sent. Progress and outcomes come from the `upgrade`
// feed topic, not from here.
import type { UpgradePlan } from '@protocol';
import { ApiError, type ApiClient } from '../api.ts';
import { confirmQuestion } from './plan-view.ts';

export type PlanSource = { kind: 'bundle'; id: string } | { kind: 'rollback'; release: string };

export function planPath(source: PlanSource): string {
  return source.kind === 'bundle' ? `/api/v1/bundles/${source.id}/plan` : `/api/v1/releases/${encodeURIComponent(source.release)}/rollback-plan`;
}

function actionPath(source: PlanSource): string {
  return source.kind === 'bundle' ? `/api/v1/bundles/${source.id}/apply` : `/api/v1/releases/${encodeURIComponent(source.release)}/rollback`;
}

export class PlanManager {
  readonly #api: ApiClient;
  readonly #source: PlanSource;
  #plan = $state.raw<UpgradePlan | null>(null);
  #loading = $state(false);
  #confirming = $state(false);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #missing = $state(false);
  #started = $state<string | null>(null);

  constructor(api: ApiClient, source: PlanSource) {
    this.#api = api;
    this.#source = source;
  }

  get source(): PlanSource {
    return this.#source;
  }
  get plan(): UpgradePlan | null {
    return this.#plan;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get confirming(): boolean {
    return this.#confirming;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get error(): string | null {
    return this.#error;
  }
  /** The bundle is no longer offered (deleted, applied and gone) or the release does not exist. */
  get missing(): boolean {
    return this.#missing;
  }
  /** The id of the upgrade this page started, once the device accepted it. */
  get started(): string | null {
    return this.#started;
  }
  get question(): string {
    return this.#plan ? confirmQuestion(this.#plan) : '';
  }

  /** Loads the plan (observed again by the device: cluster, containerd, disk). */
  async load(): Promise<void> {
    this.#loading = true;
    this.#error = null;
    try {
      this.#plan = await this.#api.get<UpgradePlan>(planPath(this.#source));
      this.#missing = false;
    } catch (error) {
      this.#missing = error instanceof ApiError && (error.code === 'bundle_not_found' || error.code === 'release_not_found');
      this.#error = error instanceof Error ? error.message : String(error);
    } finally {
      this.#loading = false;
    }
  }

  ask(): void {
    if (this.#plan && this.#plan.blocking === 0) this.#confirming = true;
  }

  cancel(): void {
    this.#confirming = false;
  }

  /** Sends the apply (or rollback); true when the device accepted it. */
  async confirm(): Promise<boolean> {
    if (!this.#plan || this.#plan.blocking > 0 || this.#busy) return false;
    this.#busy = true;
    this.#error = null;
    try {
      const answer = await this.#api.post<{ upgradeId: string }>(actionPath(this.#source), {});
      this.#started = answer.upgradeId;
      return true;
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
      // A refusal may mean the world moved (a new blocker, another upgrade): show the plan as it is now.
      if (error instanceof ApiError && error.code === 'upgrade_blocked') void this.load();
      return false;
    } finally {
      this.#confirming = false;
      this.#busy = false;
    }
  }
}
