import { describe, expect, it } from 'vitest';
import { parseStrictJson, StrictJsonError } from '../../../daemon/src/bundles/parse-strict-json.ts';

const parse = (text: string, maxDepth = 32) => parseStrictJson(text, { maxDepth });
function problem(text: string, maxDepth = 32): { problem: string; path: string } {
  try {
    parse(text, maxDepth);
  } catch (error) {
    if (error instanceof StrictJsonError) return { problem: error.problem, path: error.path };
    throw error;
  }
  throw new Error('parsed');
}

describe('parseStrictJson', () => {
  it('reads what JSON.parse reads for well-formed documents', () => {
    const text = '{"a": [1, -2.5e3, true, false, null], "b": {"c": "d\\n\\u00e9\\"x"}, "e": ""}';
    expect(parse(text)).toEqual(JSON.parse(text));
  });

  it('refuses a duplicate key and names where', () => {
    expect(problem('{"a": 1, "a": 2}')).toEqual({ problem: 'duplicate_key', path: 'a' });
    expect(problem('{"files": [{"path": "x", "path": "y"}]}')).toEqual({ problem: 'duplicate_key', path: 'files[0].path' });
  });

  it('refuses nesting deeper than the limit, and accepts exactly the limit', () => {
    expect(parse('[[[1]]]', 3)).toEqual([[[1]]]);
    expect(problem('[[[[1]]]]', 3).problem).toBe('too_deep');
    expect(problem(`${'['.repeat(100000)}${']'.repeat(100000)}`).problem).toBe('too_deep');
  });

  it.each(['{"a": 1,}', '[1,]', "{'a': 1}", '{"a": 01}', '{"a": NaN}', '"\t"', '{"a": 1} x', '', '{"a"}', '"\\x"', '[1 2]'])('refuses malformed JSON %j', (text) => {
    expect(problem(text).problem).toBe('syntax');
  });

  it('keeps "__proto__" as plain data', () => {
    const value = parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
