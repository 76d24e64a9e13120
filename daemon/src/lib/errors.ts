// OutpostError: an error with a stable code from the protocol's closed list. The HTTP layer maps
// it to problem+json in one place (http/problem.ts); the feed maps it to an `error` message.

import { ERROR_CODES, type ErrorCode } from '../protocol/errors.ts';

export interface OutpostErrorOptions {
  cause?: unknown;
  /** Field-level problems, reported to the caller. */
  errors?: { path: string; message: string }[];
  /** Overrides the code's default HTTP status. */
  status?: number;
  /** For throttling: when the caller may try again (sent as Retry-After). */
  retryAfterSeconds?: number;
}

export class OutpostError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: { path: string; message: string }[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: OutpostErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OutpostError';
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code];
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isOutpostError(value: unknown): value is OutpostError {
  return value instanceof OutpostError;
}
