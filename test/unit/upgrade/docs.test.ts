// docs/upgrades.md against the source: every outcome code described, every fault point named and
// reachable in the engine, and every point the crash suite kills at documented.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UPGRADE_PHASES } from '../../../daemon/src/protocol/upgrade.ts';
import { UPGRADE_CODES } from '../../../daemon/src/upgrade/errors.ts';

const doc = readFileSync(new URL('../../../docs/upgrades.md', import.meta.url), 'utf8');
const source = readdirSync(new URL('../../../daemon/src/upgrade/', import.meta.url))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(new URL(`../../../daemon/src/upgrade/${f}`, import.meta.url), 'utf8'))
  .join('\n');
const crashSuite = readFileSync(new URL('../../integration/upgrade-crash.test.ts', import.meta.url), 'utf8');
const faultSection = doc.slice(doc.indexOf('## Fault points'), doc.indexOf('## Interfaces'));
const documentedPoints = [...faultSection.matchAll(/^\| `([a-z_.]+)` \|/gm)].map((m) => m[1] as string);

describe('docs/upgrades.md', () => {
  it.each([...UPGRADE_CODES])('describes the outcome code %s', (code) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${code.replace('.', '\\.')}\` \\|`, 'm'));
  });

  it('names at least 15 fault points', () => {
    expect(documentedPoints.length).toBeGreaterThanOrEqual(15);
  });

  it.each(documentedPoints)('names the fault point %s, which the engine reaches', (point) => {
    const journal = /^journal\.([a-z_]+)\.(before|after)$/.exec(point);
    if (journal) expect(UPGRADE_PHASES).toContain(journal[1]);
    else expect(source).toContain(`'${point}'`);
  });

  it('documents every point the crash suite kills the daemon at, and the suite kills at every documented one', () => {
    const killed = new Set([...crashSuite.matchAll(/\['([a-z_.]+)', '(?:v2|bad)'/g), ...crashSuite.matchAll(/'(journal\.rolling_back\.after)'/g)].map((m) => m[1] as string));
    expect([...killed].sort()).toEqual([...documentedPoints].sort());
  });
});
