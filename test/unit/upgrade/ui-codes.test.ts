// The Upgrades page explains every code the engine can put in a plan or an outcome: a new code in
// the engine fails this until the page says what it means (ui/src/lib/upgrades/codes.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UPGRADE_CODES } from '../../../daemon/src/upgrade/errors.ts';
import { EXPLAINED_OUTCOME_CODES, EXPLAINED_PLAN_CODES } from '../../../ui/src/lib/upgrades/codes.ts';

const dir = new URL('../../../daemon/src/upgrade/', import.meta.url);
const source = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(new URL(f, dir), 'utf8'))
  .join('\n');
const planCodes = [...new Set([...source.matchAll(/problem\('([a-z_]+)'/g), ...source.matchAll(/\{ code: '([a-z_]+)', message/g)].map((m) => m[1] as string))].sort();

describe('the Upgrades page’s words for engine codes', () => {
  it('finds the plan codes in the engine', () => {
    expect(planCodes.length).toBeGreaterThanOrEqual(15);
  });

  it.each(planCodes)('explains the plan problem %s', (code) => {
    expect(EXPLAINED_PLAN_CODES).toContain(code);
  });

  it.each([...UPGRADE_CODES])('explains the outcome code %s', (code) => {
    expect(EXPLAINED_OUTCOME_CODES).toContain(code);
  });
});
