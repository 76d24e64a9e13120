// What /readyz reports: the dependencies of this daemon, each with a reason when failing.
import { accessSync, constants } from 'node:fs';
import { uiIsBuilt, type ReadinessProbe } from './http/index.ts';

export function readinessProbes(home: string, uiDist: string): ReadinessProbe[] {
  return [
    function stateDirectory() {
      try {
        accessSync(home, constants.W_OK);
        return { name: 'state-directory', status: 'ok', required: true };
      } catch (error) {
        return { name: 'state-directory', status: 'failing', required: true, reason: `${home} is not writable: ${String(error)}` };
      }
    },
    function ui() {
      return uiIsBuilt(uiDist)
        ? { name: 'ui', status: 'ok', required: false }
        : { name: 'ui', status: 'failing', required: false, reason: `${uiDist}/index.html missing; run npm run build` };
    },
  ];
}
