// Container behaviour chosen by pod annotations (pure). Names are documented in README.md.
//   sim.outpost.dev/behavior: ready | crashloop | exit:N | oomkill | never-ready
//   sim.outpost.dev/behavior.<container>: the same, for one container
//   sim.outpost.dev/ready-after-ms: readiness delay after start
//   sim.outpost.dev/run-ms: how long a crashing/exiting container runs before it stops
//   sim.outpost.dev/run-ms.<container>: the same, for one container (init containers too)
import type { Obj } from './types.ts';

export const ANNOTATION = 'sim.outpost.dev/behavior';
export const READY_AFTER = 'sim.outpost.dev/ready-after-ms';
export const RUN_MS = 'sim.outpost.dev/run-ms';

export type Behavior = { kind: 'ready' } | { kind: 'never-ready' } | { kind: 'exit'; code: number; reason: 'Error' | 'Completed' | 'OOMKilled' };

export interface ContainerPlan {
  behavior: Behavior;
  readyAfterMs: number;
  runMs: number;
}

export function parseBehavior(text: string | undefined, fallback: Behavior): Behavior {
  const value = (text ?? '').trim();
  if (value === '') return fallback;
  if (value === 'ready') return { kind: 'ready' };
  if (value === 'never-ready') return { kind: 'never-ready' };
  if (value === 'crashloop') return { kind: 'exit', code: 1, reason: 'Error' };
  if (value === 'oomkill') return { kind: 'exit', code: 137, reason: 'OOMKilled' };
  const m = /^exit:(\d{1,3})$/.exec(value);
  if (m) {
    const code = Number(m[1]);
    return { kind: 'exit', code, reason: code === 0 ? 'Completed' : 'Error' };
  }
  return fallback;
}

/**
 * The plan of one container. Init containers default to `exit:0` after the readiness delay and
 * only follow their own `behavior.<name>` annotation, not the pod-wide one.
 */
export function planContainer(pod: Obj, container: string, defaults: { readyAfterMs: number; runMs: number }, init = false): ContainerPlan {
  const notes: Obj = pod.metadata?.annotations ?? {};
  const restartAlways = (pod.spec?.restartPolicy ?? 'Always') === 'Always';
  const completes: Behavior = { kind: 'exit', code: 0, reason: 'Completed' };
  const fallback: Behavior = init || !restartAlways ? completes : { kind: 'ready' };
  const podWide = init ? fallback : parseBehavior(notes[ANNOTATION], fallback);
  const behavior = parseBehavior(notes[`${ANNOTATION}.${container}`], podWide);
  const num = (v: unknown, d: number): number => (v !== undefined && Number.isFinite(Number(v)) && Number(v) >= 0 ? Number(v) : d);
  const runMs = init ? num(notes[`${RUN_MS}.${container}`], defaults.readyAfterMs) : num(notes[`${RUN_MS}.${container}`], num(notes[RUN_MS], defaults.runMs));
  return { behavior, readyAfterMs: num(notes[READY_AFTER], defaults.readyAfterMs), runMs };
}

/** CrashLoopBackOff delay before restart number `restarts + 1` (first restart is immediate). */
export function crashBackoff(restarts: number, baseMs: number, maxMs: number): number {
  if (restarts <= 0) return 0;
  return Math.min(baseMs * 2 ** (restarts - 1), maxMs);
}
