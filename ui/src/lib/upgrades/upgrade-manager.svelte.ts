// The upgrade flow on the page: open a plan (an offered bundle's, or a release's rollback plan),
// ask before acting (a confirmation naming the release and both versions), apply or roll back,
// delete an offer. Live progress and outcomes come from the `upgrade` feed topic, not from here.
import type { UpgradePlan } from '@protocol';
import type { ApiClient } from '../api.ts';

export type PlanSource = { kind: 'bundle'; id: string } | { kind: 'rollback'; release: string };

export class UpgradeManager {
  readonly #api: ApiClient;
  #source = $state<PlanSource | null>(null);
  #plan = $state.raw<UpgradePlan | null>(null);
  #loading = $state(false);
  #confirming = $state(false);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #lastUpgradeId = $state<string | null>(null);

  constructor(api: ApiClient) {
    this.#api = api;
  }

  get source(): PlanSource | null {
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
  get lastUpgradeId(): string | null {
    return this.#lastUpgradeId;
  }
  /** What the confirmation names: `Apply plant-dashboard 1.0.0 → 1.1.0`. */
  get question(): string {
    const p = this.#plan;
    if (!p) return '';
    return `${p.kind === 'rollback' ? 'Roll back' : 'Apply'} ${p.release} ${p.from?.version ?? '(nothing installed)'} → ${p.to.version}?`;
  }

  async open(source: PlanSource): Promise<void> {
    this.#source = source;
    this.#plan = null;
    this.#error = null;
    this.#confirming = false;
    this.#loading = true;
    try {
      const path = source.kind === 'bundle' ? `/api/v1/bundles/${source.id}/plan` : `/api/v1/releases/${encodeURIComponent(source.release)}/rollback-plan`;
      this.#plan = await this.#api.get<UpgradePlan>(path);
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
    } finally {
      this.#loading = false;
    }
  }

  close(): void {
    this.#source = null;
    this.#plan = null;
    this.#confirming = false;
    this.#error = null;
  }

  ask(): void {
    if (this.#plan && this.#plan.blocking === 0) this.#confirming = true;
  }

  cancel(): void {
    this.#confirming = false;
  }

  async confirm(): Promise<void> {
    const source = this.#source;
    if (!source || this.#busy) return;
    this.#busy = true;
    this.#error = null;
    try {
      const path = source.kind === 'bundle' ? `/api/v1/bundles/${source.id}/apply` : `/api/v1/releases/${encodeURIComponent(source.release)}/rollback`;
      const answer = await this.#api.post<{ upgradeId: string }>(path, {});
      this.#lastUpgradeId = answer.upgradeId;
      this.#confirming = false;
      this.#source = null;
      this.#plan = null;
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
      this.#confirming = false;
    } finally {
      this.#busy = false;
    }
  }

  async discard(id: string): Promise<void> {
    this.#error = null;
    try {
      await this.#api.delete(`/api/v1/bundles/${id}`);
      if (this.#source?.kind === 'bundle' && this.#source.id === id) this.close();
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
    }
  }
}
