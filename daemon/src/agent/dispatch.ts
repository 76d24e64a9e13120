// Runs one verb on the agent's implementation after checking its arguments against the verb table
// (verbs.ts) — the one path every request takes, over the socket or in-process, so a caller that
// skipped its own checks (or lies) meets the same schema and role rules.
import { OutpostError } from '../lib/errors.ts';
import { checkArgs, verbSpec, type AgentVerb, type AgentVerbs } from './verbs.ts';

export interface StreamHooks {
  /** Receives each event; may return a promise to hold the producer back (backpressure). */
  emit(event: unknown): void | Promise<void>;
  signal: AbortSignal;
}

export function isStreamingVerb(verb: AgentVerb): boolean {
  return verbSpec(verb).stream === true;
}

/** Rejects with `validation_failed` (or `forbidden` for a role) before the implementation sees anything. */
export async function dispatchVerb(impl: AgentVerbs, verb: AgentVerb, rawArgs: unknown, hooks?: StreamHooks): Promise<unknown> {
  const checked = checkArgs(verb, rawArgs);
  if (!checked.ok) {
    const first = checked.errors[0];
    const message = `${verb}: ${first ? `${first.path}: ${first.message}` : 'bad arguments'}`;
    throw new OutpostError(checked.forbidden ? 'forbidden' : 'validation_failed', message, { errors: checked.errors });
  }
  const method = impl[verb] as (...args: unknown[]) => Promise<unknown>;
  if (!isStreamingVerb(verb)) return method.apply(impl, checked.args);
  if (!hooks) throw new OutpostError('bad_request', `${verb} is a stream`);
  return method.apply(impl, [...checked.args, hooks.emit, hooks.signal]);
}
