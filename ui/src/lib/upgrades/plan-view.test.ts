import { describe, expect, it } from 'vitest';
import { confirmQuestion, formatSize, ifItFails, stepsInWords, summarizePlan, whyNotApply } from './plan-view.ts';
import { planFixture } from './test-fixtures.ts';

describe('plan view', () => {
  it('groups the object diff and keeps unchanged objects apart', () => {
    const s = summarizePlan(planFixture());
    expect(s.objects.added.map((o) => o.name)).toEqual(['extra']);
    expect(s.objects.changed.map((o) => o.name)).toEqual(['plant-dashboard']);
    expect(s.objects.removed.map((o) => o.name)).toEqual(['old']);
    expect(s.objects.unchanged.map((o) => o.name)).toEqual(['dashboard']);
  });

  it('puts blockers first, each with what its code means, and keeps warnings apart', () => {
    const s = summarizePlan(
      planFixture({
        problems: [
          { code: 'image_needs_registry', message: 'Deployment dashboard/x: would pull a:latest', object: 'Deployment dashboard/x', blocking: true },
          { code: 'field_manager_conflict', message: 'spec.replicas owned by kubectl', object: 'Deployment dashboard/x', blocking: false },
          { code: 'something_new', message: 'a code this page does not know yet', object: null, blocking: true },
        ],
        blocking: 2,
      }),
    );
    expect(s.blockers.map((p) => p.code)).toEqual(['image_needs_registry', 'something_new']);
    expect(s.blockers[0]?.explanation).toMatch(/registry/);
    expect(s.blockers[1]?.explanation).toMatch(/docs\/upgrades\.md/);
    expect(s.warnings.map((p) => p.code)).toEqual(['field_manager_conflict']);
  });

  it('adds up images and disk: what is imported, and what may be used after the reserve', () => {
    const s = summarizePlan(planFixture());
    expect(s.images).toEqual({ count: 2, toImport: 1, bytes: 4 * 1048576, bytesToImport: 3 * 1048576 });
    expect(s.disk).toEqual({ needed: 9 * 1048576, free: 100 * 1048576, reserve: 40 * 1048576, usable: 60 * 1048576, ok: true });
    expect(summarizePlan(planFixture({ disk: { path: '/', neededBytes: 1, freeBytes: null, totalBytes: null, reserveBytes: null, ok: false } })).disk.usable).toBeNull();
  });

  it('lists every check with ok or not ok, and the release line has no verdict', () => {
    const s = summarizePlan(planFixture({ architecture: { ok: false, required: 'arm64', actual: 'amd64' } }));
    expect(s.checks.map((c) => [c.name, c.ok])).toEqual([
      ['Release', null],
      ['Sequence', true],
      ['Expires', true],
      ['Architecture', false],
      ['Kubernetes', true],
      ['Outpost', true],
    ]);
    expect(s.checks[3]?.value).toBe('needs arm64; the node is amd64');
  });

  it('says why a plan cannot be applied: blockers first, then another upgrade running', () => {
    expect(whyNotApply(planFixture(), null)).toBeNull();
    expect(whyNotApply(planFixture({ blocking: 2 }), { release: 'x', toVersion: '2' })).toMatch(/^2 blocking problems/);
    expect(whyNotApply(planFixture(), { release: 'addons', toVersion: '3.0.0' })).toBe('The upgrade of addons to 3.0.0 is running; one upgrade at a time.');
  });

  it('names release and both versions in the question, and the steps and the way back in words', () => {
    expect(confirmQuestion(planFixture())).toBe('Apply plant-dashboard 1.0.0 → 1.1.0?');
    expect(confirmQuestion(planFixture({ kind: 'install', from: null }))).toBe('Install plant-dashboard (nothing installed) → 1.1.0?');
    expect(stepsInWords(planFixture())).toBe(
      '6 steps: import 1 image (3.0 MiB), apply 3 objects, remove 1 the new version no longer has, wait until every workload is ready and stable for 30 s (at most 300 s).',
    );
    expect(ifItFails(planFixture())).toBe('If a workload does not settle healthy, 1.0.0 is restored.');
    expect(ifItFails(planFixture({ from: null }))).toMatch(/everything 1\.1\.0 added is removed again/);
  });

  it('formats sizes in binary units', () => {
    expect([formatSize(0), formatSize(1023), formatSize(7168), formatSize(52 * 1048576), formatSize(null)]).toEqual(['0 B', '1023 B', '7.0 KiB', '52 MiB', 'unknown']);
  });
});
