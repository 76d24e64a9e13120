// The one place errors become HTTP answers: application/problem+json with a stable code.
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../lib/logger.ts';
import { isOutpostError, OutpostError } from '../lib/errors.ts';
import { ERROR_CODES, problemType, type ErrorCode, type Problem } from '../protocol/errors.ts';

const TITLES: Partial<Record<ErrorCode, string>> = {
  not_found: 'Not found',
  invalid_json: 'Body is not valid JSON',
  payload_too_large: 'Body too large',
  internal_error: 'Internal error',
};

export function sendProblem(res: Response, error: OutpostError, instance?: string): void {
  const body: Problem = {
    type: problemType(error.code),
    title: TITLES[error.code] ?? error.code.replaceAll('_', ' '),
    status: error.status,
    code: error.code,
    detail: error.message,
  };
  if (instance) body.instance = instance;
  if (error.errors) body.errors = error.errors;
  if (error.retryAfterSeconds !== undefined) {
    body.retryAfterSeconds = error.retryAfterSeconds;
    res.setHeader('Retry-After', String(error.retryAfterSeconds));
  }
  res.status(error.status).type('application/problem+json').send(JSON.stringify(body));
}

/** Maps body-parser and other framework errors onto our codes. */
function toOutpostError(error: unknown): OutpostError {
  if (isOutpostError(error)) return error;
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.too.large') return new OutpostError('payload_too_large', 'the request body is larger than the limit', { cause: error });
  if (type === 'entity.parse.failed') return new OutpostError('invalid_json', 'the request body is not valid JSON', { cause: error });
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new OutpostError('unsupported_media_type', 'unsupported body encoding', { cause: error });
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new OutpostError('bad_request', error instanceof Error ? error.message : 'bad request', { cause: error, status });
  }
  return new OutpostError('internal_error', 'something went wrong inside Outpost; the log has the details', { cause: error });
}

export function problemHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const problem = toOutpostError(error);
    if (problem.status >= 500 && !isOutpostError(error)) log.error({ err: error, method: req.method, path: req.path }, 'request failed');
    else if (problem.status >= 500) log.warn({ code: problem.code, detail: problem.message, path: req.path }, 'request failed');
    else log.debug({ code: problem.code, method: req.method, path: req.path }, 'request refused');
    sendProblem(res, problem, req.originalUrl);
  };
}

export function isKnownCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
