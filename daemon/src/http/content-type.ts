// Mutations take JSON bodies only. A browser lets any page send text/plain, form-urlencoded or
// multipart bodies cross-origin without asking (a "simple" request), so accepting them would let a
// hostile page reach a handler; JSON needs a preflight that we never grant. A mutation with a body
// of another type, or a body without a type, is answered 415 before its handler runs.
import type { RequestHandler } from 'express';
import { OutpostError } from '../lib/errors.ts';

export const JSON_MEDIA_TYPE = 'application/json';

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaTypeOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  const type = header.split(';', 1)[0]!.trim().toLowerCase();
  return type === '' ? null : type;
}

function hasBody(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/** Refuses a body whose media type is not one of `accepted` (a body-less request with no type passes). */
export function requireMediaType(accepted: readonly string[] = [JSON_MEDIA_TYPE]): RequestHandler {
  return (req, _res, next) => {
    const type = mediaTypeOf(req.headers['content-type']);
    const ok = type === null ? !hasBody(req.headers) : accepted.includes(type);
    next(ok ? undefined : new OutpostError('unsupported_media_type', `this change takes a body of type ${accepted.join(' or ')}`));
  };
}
