import { describe, expect, it } from 'vitest';
import type { BundleOffer } from '@protocol';
import { ApiClient } from '../api.ts';
import { DiscardManager } from './discard-manager.svelte.ts';
import { parseUpgradesPath } from './routes.ts';

const offer = { id: '0123456789abcdef', name: 'plant-dashboard', version: '1.2.0', source: 'usb' } as BundleOffer;

describe('deleting an offer', () => {
  it('asks first, deletes on confirm and says so', async () => {
    const sent: string[] = [];
    const m = new DiscardManager(new ApiClient(async (input, init) => (sent.push(`${init?.method} ${String(input)}`), new Response('{"deleted":"x"}', { headers: { 'content-type': 'application/json' } }))));
    m.ask(offer);
    expect(m.asking).toBe(offer);
    expect(sent).toEqual([]);
    expect(await m.confirm()).toBe(true);
    expect(sent).toEqual(['DELETE /api/v1/bundles/0123456789abcdef']);
    expect(m.notice).toBe('Deleted the offered bundle plant-dashboard 1.2.0.');
    expect(m.asking).toBeNull();
  });

  it('keeps the question open with the refusal in it', async () => {
    const body = JSON.stringify({ code: 'busy', status: 409, title: 'busy', detail: 'busy: the upgrade of plant-dashboard is running' });
    const m = new DiscardManager(new ApiClient(async () => new Response(body, { status: 409, headers: { 'content-type': 'application/problem+json' } })));
    m.ask(offer);
    expect(await m.confirm()).toBe(false);
    expect(m.asking).toBe(offer);
    expect(m.error).toBe('busy: the upgrade of plant-dashboard is running');
    m.cancel();
    expect(m.error).toBeNull();
  });
});

describe('addresses under /upgrades', () => {
  it('reads the list, a bundle’s plan and a release’s rollback plan, and refuses the rest', () => {
    expect(parseUpgradesPath('/upgrades')).toEqual({ view: 'home' });
    expect(parseUpgradesPath('/upgrades/')).toEqual({ view: 'home' });
    expect(parseUpgradesPath('/upgrades/bundles/0123456789abcdef')).toEqual({ view: 'plan', source: { kind: 'bundle', id: '0123456789abcdef' } });
    expect(parseUpgradesPath('/upgrades/releases/plant-dashboard/rollback')).toEqual({ view: 'plan', source: { kind: 'rollback', release: 'plant-dashboard' } });
    expect(parseUpgradesPath('/upgrades/bundles/../../etc').view).toBe('invalid');
    expect(parseUpgradesPath('/upgrades/releases/%E0%A4%A/rollback').view).toBe('invalid');
    expect(parseUpgradesPath('/upgrades/releases/UPPER/rollback').view).toBe('invalid');
    expect(parseUpgradesPath('/upgrades/other').view).toBe('invalid');
  });
});
