import { describe, expect, it } from 'vitest';
import { formatBytes, memberDataCap, planBudget, tarCost } from '../../../daemon/src/support/budget-pure.ts';
import { NEVER_INCLUDED, renderIndex } from '../../../daemon/src/support/manifest-pure.ts';
import type { SectionRecord } from '../../../daemon/src/support/types.ts';

describe('support bundle budget', () => {
  it('counts a member as a header block plus its data padded to a block', () => {
    expect(tarCost(0)).toBe(512);
    expect(tarCost(1)).toBe(1024);
    expect(tarCost(512)).toBe(1024);
    expect(tarCost(513)).toBe(1536);
  });

  it('splits 99 % of the cap by share and gives the index what is left', () => {
    const budget = planBudget(50 << 20, [0.01, 0.33, 0.25]);
    expect(budget.total).toBe(Math.floor((50 << 20) * 0.99));
    expect(budget.sections).toEqual([Math.floor(budget.total * 0.01), Math.floor(budget.total * 0.33), Math.floor(budget.total * 0.25)]);
    expect(budget.index + budget.sections.reduce((a, b) => a + b, 0)).toBe(budget.total);
    expect(budget.total).toBeLessThan(50 << 20);
    expect(() => planBudget(1 << 20, [0.5, 0.5])).toThrow(/at most 0.97/);
  });

  it('offers a member only what fits with its header and padding, and nothing below one block', () => {
    expect(memberDataCap(10_000)).toBe(9216);
    expect(tarCost(memberDataCap(10_000))).toBeLessThanOrEqual(10_000);
    expect(memberDataCap(10_000, 700.5)).toBe(700);
    expect(memberDataCap(1000)).toBe(0);
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(50 << 20)).toBe('50 MiB');
  });
});

describe('support bundle index', () => {
  const section = (n: number): SectionRecord => ({
    section: `s${n}`,
    title: 'a section',
    outcome: n % 2 ? 'partial' : 'complete',
    budgetBytes: 1000,
    usedBytes: 900,
    durationMs: 3,
    members: Array.from({ length: 300 }, (_, i) => ({
      path: `s${n}/pod-${i}/container-with-a-long-name.log`,
      bytes: 100,
      truncated: i === 0 ? 'reached its cap' : null,
    })),
    skipped: [{ path: `s${n}/x.log`, reason: 'this section reached its cap' }],
    notes: ['journal not available: journalctl is not installed on this machine'],
  });
  const fileName = 'outpost-support-box-20261201T100000Z.tar.gz';
  const summary = { fileName, createdAt: '2026-12-01T10:00:00.000Z', maxBytes: 1 << 20, sections: [section(1), section(2)] };

  it('lists every section, member, skip, note and what is never included', () => {
    const { json, text } = renderIndex(summary, 1 << 20);
    const doc = JSON.parse(json) as { never: string[]; sections: { members: unknown[]; membersOmitted: number }[] };
    expect(doc.never).toEqual([...NEVER_INCLUDED]);
    expect(doc.sections.map((s) => s.members.length)).toEqual([300, 300]);
    expect(text).toContain('s1/pod-0/container-with-a-long-name.log');
    expect(text).toContain('(cut: reached its cap)');
    expect(text).toContain('skipped s1/x.log: this section reached its cap');
    expect(text).toContain('note: journal not available');
  });

  it('shortens the member lists until the index fits its budget', () => {
    const { json, text } = renderIndex(summary, 20_000);
    expect(tarCost(Buffer.byteLength(json)) + tarCost(Buffer.byteLength(text)) + 1024).toBeLessThanOrEqual(20_000);
    const doc = JSON.parse(json) as { sections: { members: unknown[]; membersOmitted: number }[] };
    expect(doc.sections[0]!.membersOmitted).toBeGreaterThan(0);
    expect(text).toMatch(/… and \d+ more files/);
  });
});
