// The agent's verbs called inside one process (the web process in tests, where the agent's parts
// run in-process): the same dispatch as the socket — arguments checked against the verb table and
// roles re-checked — without the wire.
import { dispatchVerb } from './dispatch.ts';
import { AGENT_VERBS, verbSpec, type AgentVerb, type AgentVerbs } from './verbs.ts';

export function localAgent(impl: AgentVerbs): AgentVerbs {
  const methods: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const verb of Object.keys(AGENT_VERBS) as AgentVerb[]) {
    const spec = verbSpec(verb);
    const arity = spec.args.def.items.length;
    methods[verb] = spec.stream
      ? (...args) => {
          const signal = (args[arity + 1] as AbortSignal | undefined) ?? new AbortController().signal;
          return dispatchVerb(impl, verb, args.slice(0, arity), { emit: args[arity] as (e: unknown) => void, signal });
        }
      : (...args) => dispatchVerb(impl, verb, args);
  }
  return methods as unknown as AgentVerbs;
}
