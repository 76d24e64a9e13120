import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../daemon/src/protocol/errors.ts';

describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Set([...doc.matchAll(/^\|\s*`([a-z_]+)`\s*\|/gm)].map((m) => m[1]));

  it.each(Object.keys(ERROR_CODES))('describes the code %s', (code) => {
    expect(documented.has(code)).toBe(true);
  });

  it('lists no code that the daemon does not have', () => {
    const unknown = [...documented].filter((code) => code && !Object.hasOwn(ERROR_CODES, code));
    expect(unknown).toEqual([]);
  });

  it('gives each code the HTTP status the daemon answers with', () => {
    for (const [code, status] of Object.entries(ERROR_CODES)) {
      const row = new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*(\\d{3})\\s*\\|`, 'm').exec(doc);
      expect(row?.[1], code).toBe(String(status));
    }
  });
});
