// Authentication and user management: login with throttling, logout, first-start setup, users.
// Every outcome is audited here, where actor, target and reason are known.
import type { Logger } from '../lib/logger.ts';
import { OutpostError } from '../lib/errors.ts';
import type { AuditAggregator, AuditWriter } from '../audit/index.ts';
import { cleanField } from '../audit/index.ts';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.ts';
import { passwordProblem, usernameProblem, type Role } from './roles.ts';
import type { LoginAttempts } from './login-attempts.ts';
import type { ThrottleDecision } from './throttle.ts';
import type { EndReason, Session, SessionStore } from './sessions.ts';
import type { SessionSockets } from './session-sockets.ts';
import type { SetupGate } from './setup-gate.ts';
import type { User, UserStore } from './users.ts';
import { actorName, roleOf, type Principal, type RequestContext, type UserPrincipal } from './principal.ts';
import { bindingOf, type Binding } from './session-binding.ts';

export interface AuthServiceDeps {
  users: UserStore;
  sessions: SessionStore;
  attempts: LoginAttempts;
  sockets: SessionSockets;
  setup: SetupGate;
  audit: AuditWriter;
  /** Anonymous failures are counted per address and window, never one record each. */
  counted: AuditAggregator;
  log: Logger;
  now?: () => number;
}

export interface LoginResult {
  sessionId: string;
  /** The session's token, for the page only (session-binding.ts). */
  token: string;
  session: Session;
  user: User;
}

const GENERIC_LOGIN_FAILURE = 'wrong username or password';

function throttled(decision: ThrottleDecision): OutpostError {
  const seconds = Math.ceil(decision.retryAfterMs / 1000);
  const message = decision.locked
    ? `too many failed logins: locked for ${Math.ceil(seconds / 60)} more minute${seconds > 60 ? 's' : ''}`
    : `too many failed logins: wait ${seconds} second${seconds === 1 ? '' : 's'} before trying again`;
  return new OutpostError('login_throttled', message, { retryAfterSeconds: seconds });
}

export class AuthService {
  private readonly d: AuthServiceDeps;
  private readonly now: () => number;

  constructor(deps: AuthServiceDeps) {
    this.d = deps;
    this.now = deps.now ?? Date.now;
  }

  /** Open while no enabled admin exists; an admin made meanwhile (say, with the CLI) closes it. */
  get setupOpen(): boolean {
    if (this.d.setup.open && this.d.users.activeAdminCount() > 0) this.d.setup.close();
    return this.d.setup.open;
  }

  /**
   * The user a session cookie names, and whether this request proved the session's binding (its
   * address and token). Only a bound request counts as activity.
   */
  sessionCaller(idHash: string, address: string, token: string | undefined): { principal: UserPrincipal; binding: Binding } | { ended: EndReason | null } {
    const now = this.now();
    const result = this.d.sessions.lookup(idHash, now);
    if ('ended' in result) return result;
    const user = this.d.users.byId(result.session.userId);
    if (!user || user.disabledAt !== null) {
      this.d.sessions.end(idHash, 'user disabled', now);
      return { ended: 'user disabled' };
    }
    const binding = bindingOf(result.session, address, token);
    if (binding === 'bound') this.d.sessions.touch(result.session, now);
    return { principal: { kind: 'user', userId: user.id, username: user.username, role: user.role, session: result.session }, binding };
  }

  async login(username: string, password: string, ctx: RequestContext): Promise<LoginResult> {
    const account = cleanField(username.toLowerCase(), 64);
    const now = this.now();
    const failed = { action: 'session.login', actor: 'anonymous', role: '-', address: ctx.address, outcome: 'failure' as const, account };
    // Reserved before the hash is computed, so parallel attempts cannot all pass the check.
    const gate = this.d.attempts.reserve('login', account, ctx.address, now);
    if (!gate.allowed) {
      this.d.counted.count({ ...failed, reason: gate.decision.locked ? 'locked' : 'throttled' });
      throw throttled(gate.decision);
    }
    const found = this.d.users.findForLogin(account);
    const verdict = found ? await verifyPassword(password, found.passwordHash) : (await burnPasswordCheck(password), { ok: false, needsRehash: false });
    if (!found || !verdict.ok || found.user.disabledAt !== null) {
      const reason = !found ? 'unknown user' : found.user.disabledAt !== null && verdict.ok ? 'user disabled' : 'wrong password';
      this.d.counted.count({ ...failed, reason });
      throw new OutpostError('login_failed', GENERIC_LOGIN_FAILURE);
    }
    this.d.attempts.succeeded(gate.reservation);
    if (verdict.needsRehash) this.d.users.setPassword(found.user.id, await hashPassword(password), found.user.passwordChangedAt);
    // Now, not when the attempt began: hashing took a while, and the idle clock starts here.
    const created = this.d.sessions.create(found.user.id, ctx.address, ctx.userAgent, this.now());
    const who = { actor: found.user.username, role: found.user.role, address: ctx.address };
    this.d.audit.append({ ...who, action: 'session.login', target: found.user.username, outcome: 'success' });
    return { sessionId: created.id, token: created.token, session: created.session, user: found.user };
  }

  logout(principal: Principal, ctx: RequestContext): void {
    if (principal.kind !== 'user') return;
    this.endSession(principal.session.idHash, 'logged out');
    this.d.audit.append({ actor: principal.username, role: principal.role, address: ctx.address, action: 'session.logout', target: principal.username, outcome: 'success' });
  }

  async completeSetup(code: string, username: string, password: string, ctx: RequestContext): Promise<LoginResult> {
    const base = { actor: cleanField(username, 64) || '-', role: '-', address: ctx.address, action: 'setup.first_admin', target: cleanField(username, 64) };
    if (!this.setupOpen) throw new OutpostError('setup_not_available', 'setup is already done; log in instead');
    // Its own counter per address: never shared with an account that happens to be called "setup".
    const failed = { action: base.action, actor: 'anonymous', role: '-', address: ctx.address, outcome: 'failure' as const, account: base.target };
    const gate = this.d.attempts.reserve('setup', '', ctx.address, this.now());
    if (!gate.allowed) {
      this.d.counted.count({ ...failed, reason: gate.decision.locked ? 'locked' : 'throttled' });
      throw throttled(gate.decision);
    }
    if (!this.d.setup.matches(code)) {
      this.d.counted.count({ ...failed, reason: 'wrong setup code' });
      throw new OutpostError('setup_code_invalid', 'that setup code is not right; read it again from the device screen or its log');
    }
    const user = await this.createUserRecord(username, password, 'admin');
    this.d.setup.close();
    this.d.attempts.succeeded(gate.reservation);
    this.d.audit.append({ ...base, role: 'admin', outcome: 'success' });
    this.d.log.info({ username }, 'first admin created; setup code retired');
    const created = this.d.sessions.create(user.id, ctx.address, ctx.userAgent, this.now());
    return { sessionId: created.id, token: created.token, session: created.session, user };
  }

  async createUser(actor: Principal, input: { username: string; password: string; role: Role }, ctx: RequestContext): Promise<User> {
    const user = await this.audited(actor, ctx, 'user.create', input.username, { role: input.role }, () => this.createUserRecord(input.username, input.password, input.role));
    return user;
  }

  async setPassword(actor: Principal, username: string, password: string, ctx: RequestContext): Promise<void> {
    await this.audited(actor, ctx, 'user.password', username, {}, async () => {
      const user = this.requireUser(username);
      const problem = passwordProblem(password);
      if (problem) throw new OutpostError('validation_failed', problem, { errors: [{ path: 'password', message: problem }] });
      this.d.users.setPassword(user.id, await hashPassword(password), this.now());
      this.endUserSessions(user.id, 'password changed');
    });
  }

  /** Throttled like a login, on the same counters: a session must not become a password oracle. */
  async changeOwnPassword(actor: Principal, currentPassword: string, newPassword: string, ctx: RequestContext): Promise<void> {
    if (actor.kind !== 'user') throw new OutpostError('unauthenticated', 'log in first');
    const base = { actor: actor.username, role: actor.role, address: ctx.address, action: 'user.password', target: actor.username };
    const gate = this.d.attempts.reserve('login', actor.username, ctx.address, this.now());
    if (!gate.allowed) {
      const reason = gate.decision.locked ? 'locked' : 'throttled';
      this.d.audit.append({ ...base, outcome: 'denied', detail: { reason, retryAfterMs: gate.decision.retryAfterMs } });
      throw throttled(gate.decision);
    }
    const found = this.d.users.findForLogin(actor.username);
    if (!found || !(await verifyPassword(currentPassword, found.passwordHash)).ok) {
      this.d.audit.append({ ...base, outcome: 'failure', detail: { reason: 'wrong current password', failures: gate.reservation.failures } });
      throw new OutpostError('validation_failed', 'the current password is wrong', { errors: [{ path: 'currentPassword', message: 'wrong password' }] });
    }
    this.d.attempts.succeeded(gate.reservation);
    await this.setPassword(actor, actor.username, newPassword, ctx);
  }

  async update(actor: Principal, username: string, change: { role?: Role; disabled?: boolean }, ctx: RequestContext): Promise<User> {
    return this.audited(actor, ctx, 'user.update', username, change, async () => {
      const user = this.requireUser(username);
      const losesAdmin = user.role === 'admin' && user.disabledAt === null && ((change.role && change.role !== 'admin') || change.disabled === true);
      if (losesAdmin && this.d.users.activeAdminCount() <= 1) {
        throw new OutpostError('validation_failed', 'this is the last enabled admin; create another admin first');
      }
      if (change.role) this.d.users.setRole(user.id, change.role);
      if (change.disabled !== undefined) this.d.users.setDisabled(user.id, change.disabled, this.now());
      if (change.disabled === true) this.endUserSessions(user.id, 'user disabled');
      return this.d.users.byId(user.id)!;
    });
  }

  listUsers(): User[] {
    return this.d.users.list();
  }

  endSession(idHash: string, reason: EndReason): void {
    this.d.sessions.end(idHash, reason, this.now());
    this.d.sockets.closeSession(idHash, reason);
  }

  private endUserSessions(userId: number, reason: EndReason): void {
    this.d.sessions.endAllForUser(userId, reason, this.now());
    this.d.sockets.check(this.now());
  }

  private requireUser(username: string): User {
    const found = this.d.users.findForLogin(username);
    if (!found) throw new OutpostError('not_found', `no user named ${cleanField(username, 64)}`);
    return found.user;
  }

  private async createUserRecord(username: string, password: string, role: Role): Promise<User> {
    const problems = [
      ['username', usernameProblem(username)],
      ['password', passwordProblem(password)],
    ].filter((p): p is [string, string] => p[1] !== null);
    if (problems.length > 0) {
      throw new OutpostError('validation_failed', problems.map((p) => p[1]).join('; '), { errors: problems.map(([path, message]) => ({ path, message })) });
    }
    if (this.d.users.exists(username)) throw new OutpostError('user_exists', `a user named ${username} already exists`);
    return this.d.users.create(username, role, await hashPassword(password), this.now());
  }

  private async audited<T>(actor: Principal, ctx: RequestContext, action: string, target: string, detail: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
    const base = { actor: actorName(actor), role: roleOf(actor), address: ctx.address, action, target, detail };
    try {
      const result = await work();
      this.d.audit.append({ ...base, outcome: 'success' });
      return result;
    } catch (error) {
      const code = error instanceof OutpostError ? error.code : 'internal_error';
      this.d.audit.append({ ...base, outcome: 'failure', detail: { ...detail, code } });
      throw error;
    }
  }
}
