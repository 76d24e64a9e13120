// Validates a JSON body or a query string at the edge; every problem comes back with its path.
import type { z } from 'zod';
import { OutpostError } from '../lib/errors.ts';

function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || where, message: issue.message }));
  throw new OutpostError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  return parseInput(schema, body ?? {}, '(body)');
}

/** Empty parameters (`?actor=`) count as absent, as a form with blank fields sends them. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const cleaned = Object.fromEntries(Object.entries((query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
  return parseInput(schema, cleaned, '(query)');
}
