// Validates a JSON body at the edge; every problem comes back with its path.
import type { z } from 'zod';
import { OutpostError } from '../lib/errors.ts';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }));
  throw new OutpostError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}
