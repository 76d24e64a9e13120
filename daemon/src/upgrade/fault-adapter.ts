// Adapter: fault points for the crash suite. `OUTPOST_FAULT=<point>[,<point>…]` makes the process
// (the agent, which runs the engine) announce the first time it reaches a named point on stderr,
// with its pid, and stop itself there (SIGSTOP), so a test can SIGKILL exactly that process at
// exactly that point. With the variable unset every point is a no-op.
// The points are listed in docs/upgrades.md.
import { writeSync } from 'node:fs';

export const FAULT_MARK = 'OUTPOST_FAULT_REACHED';

export function faultInjector(spec: string | undefined): (point: string) => void {
  const armed = new Set((spec ?? '').split(',').map((p) => p.trim()).filter((p) => p !== ''));
  if (armed.size === 0) return () => undefined;
  return (point) => {
    if (!armed.delete(point)) return;
    writeSync(2, `${FAULT_MARK} ${point} pid=${process.pid}\n`);
    process.kill(process.pid, 'SIGSTOP');
  };
}
