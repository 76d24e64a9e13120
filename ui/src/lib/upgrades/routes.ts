// Addresses under /upgrades (pure): the list, one offered bundle's plan, one release's rollback plan.
import type { PlanSource } from './plan-manager.svelte.ts';

export type UpgradesRoute = { view: 'home' } | { view: 'plan'; source: PlanSource } | { view: 'invalid'; why: string };

export function parseUpgradesPath(path: string): UpgradesRoute {
  const parts = path.replace(/\/+$/, '').split('/').slice(2);
  if (parts.length === 0) return { view: 'home' };
  if (parts[0] === 'bundles' && parts.length === 2) {
    const id = parts[1] ?? '';
    return /^[0-9a-f]{16}$/.test(id) ? { view: 'plan', source: { kind: 'bundle', id } } : { view: 'invalid', why: 'a bundle id is 16 hexadecimal digits' };
  }
  if (parts[0] === 'releases' && parts.length === 3 && parts[2] === 'rollback') {
    let name = '';
    try {
      name = decodeURIComponent(parts[1] ?? '');
    } catch {
      name = '';
    }
    return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name) ? { view: 'plan', source: { kind: 'rollback', release: name } } : { view: 'invalid', why: 'not a release name' };
  }
  return { view: 'invalid', why: 'there is no such page under Upgrades' };
}
