import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ERROR_CODES } from '../../../daemon/src/bundles/errors.ts';

const root = new URL('../../../', import.meta.url);
const doc = readFileSync(new URL('docs/bundle-format.md', root), 'utf8');
const sourceDir = new URL('daemon/src/bundles/', root);
const sources = readdirSync(sourceDir)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => readFileSync(new URL(name, sourceDir), 'utf8'))
  .join('\n');

describe('bundle error codes', () => {
  it('documents every code in docs/bundle-format.md with a meaning', () => {
    const missing = BUNDLE_ERROR_CODES.filter((code) => !new RegExp(`^\\| \`${code.replace('.', '\\.')}\` \\| \\S`, 'm').test(doc));
    expect(missing).toEqual([]);
  });

  it('lists every code the bundle sources can emit', () => {
    // Every 'bundle.<word>' literal in the sources, except the builder's input file name.
    const emitted = new Set([...sources.matchAll(/'(bundle\.[a-z_]+)'/g)].map((m) => m[1]).filter((s) => s !== 'bundle.yaml'));
    const known = new Set<string>(BUNDLE_ERROR_CODES);
    expect([...emitted].filter((code) => !known.has(code as string))).toEqual([]);
    expect(emitted.size).toBeGreaterThan(30);
  });

  it('documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/^\| `(bundle\.[a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.filter((code) => !(BUNDLE_ERROR_CODES as readonly string[]).includes(code as string))).toEqual([]);
  });
});
