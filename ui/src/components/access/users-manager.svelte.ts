// Users for admins: the list, adding one, and the per-user actions (role, password, disable). Setting
// a password and disabling ask first in a dialog (`asking`); each answer shows once: field problems
// at their field, anything else as one error line, success as one notice.
import type { RoleName, UserInfo } from '@protocol';
import { ApiError, type ApiClient } from '../../lib/api.ts';

export type UserQuestion = { kind: 'password'; user: UserInfo } | { kind: 'disable'; user: UserInfo };

export class UsersManager {
  readonly #api: ApiClient;
  #users = $state.raw<UserInfo[]>([]);
  #loaded = $state(false);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #notice = $state<string | null>(null);
  #fieldErrors = $state<Record<string, string>>({});
  #asking = $state.raw<UserQuestion | null>(null);

  constructor(api: ApiClient) {
    this.#api = api;
  }

  get users(): UserInfo[] {
    return this.#users;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get error(): string | null {
    return this.#error;
  }
  get notice(): string | null {
    return this.#notice;
  }
  /** Problems by field: `username`, `password` (add form or password dialog). */
  get fieldErrors(): Record<string, string> {
    return this.#fieldErrors;
  }
  get asking(): UserQuestion | null {
    return this.#asking;
  }

  async refresh(): Promise<void> {
    try {
      this.#users = (await this.#api.get<{ users: UserInfo[] }>('/api/v1/users')).users;
      this.#loaded = true;
    } catch (e) {
      this.#error = e instanceof ApiError ? e.message : 'could not load the users';
    }
  }

  /** Adds a user; true when it worked (the form then clears). */
  create(username: string, password: string, role: RoleName): Promise<boolean> {
    return this.#act(() => this.#api.post('/api/v1/users', { username, password, role }), `added ${username} as ${role}`);
  }

  setRole(user: UserInfo, role: RoleName): Promise<boolean> {
    return this.#act(() => this.#api.patch(this.#path(user), { role }), `${user.username} is now ${role}`);
  }

  enable(user: UserInfo): Promise<boolean> {
    return this.#act(() => this.#api.patch(this.#path(user), { disabled: false }), `${user.username} can log in again`);
  }

  askPassword(user: UserInfo): void {
    this.#ask({ kind: 'password', user });
  }
  askDisable(user: UserInfo): void {
    this.#ask({ kind: 'disable', user });
  }
  cancel(): void {
    this.#asking = null;
    this.#fieldErrors = {};
  }

  /** Carries out what the dialog asked; it stays open with the problem when that fails. */
  async confirm(password = ''): Promise<void> {
    const q = this.#asking;
    if (!q) return;
    const ok =
      q.kind === 'password'
        ? await this.#act(() => this.#api.post(`${this.#path(q.user)}/password`, { password }), `password of ${q.user.username} set; their sessions ended`)
        : await this.#act(() => this.#api.patch(this.#path(q.user), { disabled: true }), `${q.user.username} disabled; their sessions ended`);
    if (ok) this.#asking = null;
  }

  #ask(question: UserQuestion): void {
    this.#asking = question;
    this.#error = null;
    this.#notice = null;
    this.#fieldErrors = {};
  }

  #path(user: UserInfo): string {
    return `/api/v1/users/${encodeURIComponent(user.username)}`;
  }

  async #act(work: () => Promise<unknown>, done: string): Promise<boolean> {
    if (this.#busy) return false;
    this.#busy = true;
    this.#error = null;
    this.#notice = null;
    this.#fieldErrors = {};
    try {
      await work();
      this.#notice = done;
      await this.refresh();
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.errors.length > 0) this.#fieldErrors = Object.fromEntries(e.errors.map((f) => [f.path, f.message]));
      else this.#error = e instanceof ApiError ? e.message : 'that did not work; try again';
      return false;
    } finally {
      this.#busy = false;
    }
  }
}
