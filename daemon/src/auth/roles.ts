// Roles and what they may do: viewer < operator < admin. Pure.
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 1024;

/** Why a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN) return `a password needs at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `a password has at most ${PASSWORD_MAX} characters`;
  return null;
}

export function usernameProblem(username: string): string | null {
  return USERNAME_PATTERN.test(username) ? null : 'a username is 1–64 characters: lower-case letters, digits, dot, dash, underscore; starting with a letter or digit';
}
