// The canonical JSON writer and the strict parser's canonical mode, together: every value the
// writer spells is read back as the same value, and every other spelling of it is refused with
// the problem that names the difference.
import { describe, expect, it } from 'vitest';
import { serializeCanonicalJson, type JsonShape } from '../../../daemon/src/bundles/canonical-json-pure.ts';
import { parseStrictJson, StrictJsonError } from '../../../daemon/src/bundles/parse-strict-json.ts';

const canonical = (text: string) => parseStrictJson(text, { maxDepth: 32, canonical: true });
function problem(text: string): string {
  try {
    canonical(text);
  } catch (error) {
    if (error instanceof StrictJsonError) return error.problem;
    throw error;
  }
  return 'ok';
}

// A small seeded generator, so a failure names a seed that reproduces it.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const ALPHABET = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', '\u2028', '😀', '\u{10ffff}', '\ufeff', '10', '9'];

function randomValue(next: () => number, depth: number): unknown {
  const kind = Math.floor(next() * (depth > 4 ? 4 : 6));
  const text = () => Array.from({ length: Math.floor(next() * 6) }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join('');
  if (kind === 0) return text();
  if (kind === 1) return [0, 1, -1, 42, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER][Math.floor(next() * 6)];
  if (kind === 2) return [true, false, null][Math.floor(next() * 3)];
  if (kind === 3) return text();
  if (kind === 4) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(next() * 4) }, () => [text(), randomValue(next, depth + 1)]));
}

describe('canonical JSON', () => {
  it('reads back every value the writer spells, and spells it again the same way (500 seeded values)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const value = randomValue(random(seed), 1);
      const text = serializeCanonicalJson(value);
      expect({ seed, value: canonical(text) }).toEqual({ seed, value });
      expect(serializeCanonicalJson(canonical(text))).toBe(text);
    }
  });

  it('writes two-space indentation, ": ", a final line feed and compact empty containers', () => {
    expect(serializeCanonicalJson({ a: [1, { b: {} }], c: [] })).toBe('{\n  "a": [\n    1,\n    {\n      "b": {}\n    }\n  ],\n  "c": []\n}\n');
    expect(serializeCanonicalJson('x')).toBe('"x"\n');
  });

  it('orders known fields as declared, then other keys sorted by UTF-16 code unit', () => {
    const shape: JsonShape = { fields: { z: 'free', a: { items: { fields: { y: 'free', b: 'free' } } } } };
    const text = serializeCanonicalJson({ extra: 1, a: [{ b: 1, y: 2, x: 3 }], z: { 9: 0, 10: 0, b: 0, B: 0, é: 0, '😀': 0, '\uffff': 0 } }, shape);
    expect(text.replace(/\s+/g, '')).toBe('{"z":{"10":0,"9":0,"B":0,"b":0,"é":0,"😀":0,"\uffff":0},"a":[{"y":2,"b":1,"x":3}],"extra":1}');
  });

  it('escapes only quotes, backslashes and control characters, as JSON.stringify does', () => {
    expect(serializeCanonicalJson('"\\/\b\f\n\r\t\u0000\u001f\u007fé😀')).toBe('"\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\u007fé😀"\n');
  });

  it.each([
    ['a leading space', ' {}\n', 'whitespace'],
    ['no final line feed', '{}', 'whitespace'],
    ['two final line feeds', '{}\n\n', 'whitespace'],
    ['compact members', '{"a": 1,"b": 2}\n', 'whitespace'],
    ['no indentation', '{\n"a": 1\n}\n', 'whitespace'],
    ['tab indentation', '{\n\t"a": 1\n}\n', 'whitespace'],
    ['CRLF line ends', '{\r\n  "a": 1\r\n}\r\n', 'whitespace'],
    ['a space before the colon', '{\n  "a" : 1\n}\n', 'whitespace'],
    ['no space after the colon', '{\n  "a":1\n}\n', 'whitespace'],
    ['a space inside an empty object', '{ }\n', 'whitespace'],
    ['a trailing space on a line', '{\n  "a": 1 \n}\n', 'whitespace'],
    ['a fraction', '1.0\n', 'number_form'],
    ['an exponent', '1e0\n', 'number_form'],
    ['a fraction with an exponent that makes an integer', '50e-1\n', 'number_form'],
    ['a capital exponent', '1E3\n', 'number_form'],
    ['negative zero', '-0\n', 'number_form'],
    ['a leading zero', '05\n', 'number_form'],
    ['a negative leading zero', '-05\n', 'number_form'],
    ['an integer beyond 2^53 - 1', '9007199254740992\n', 'number_form'],
    ['a real fraction', '0.5\n', 'number_form'],
    ['an escaped solidus', '"a\\/b"\n', 'escape_form'],
    ['a \\u escape of a printable character', '"\\u0041"\n', 'escape_form'],
    ['a \\u escape of a non-ASCII character', '"\\u00e9"\n', 'escape_form'],
    ['an escaped surrogate pair', '"\\ud83d\\ude00"\n', 'escape_form'],
    ['a \\u escape where a short one exists', '"\\u000a"\n', 'escape_form'],
    ['a \\u escape with capital hex', '"\\u001F"\n', 'escape_form'],
    ['a decomposed (NFD) string', '"e\u0301"\n', 'invalid_unicode'],
    ['a decomposed key', '{\n  "e\u0301": 1\n}\n', 'invalid_unicode'],
    ['an escaped lone high surrogate', '"\\ud800"\n', 'invalid_unicode'],
    ['an escaped lone low surrogate', '"\\udc00"\n', 'invalid_unicode'],
    ['a high surrogate followed by a non-surrogate escape', '"\\ud800\\u0041"\n', 'invalid_unicode'],
    ['a raw lone surrogate', '"\ud800"\n', 'invalid_unicode'],
  ])('refuses %s', (_name, text, expected) => {
    expect(problem(text)).toBe(expected);
  });

  it('accepts the canonical spellings right next to those', () => {
    for (const text of ['{}\n', '[]\n', '0\n', '-1\n', '9007199254740991\n', '-9007199254740991\n', '"\\u001f\\n/é😀"\n', '{\n  "a": [\n    {}\n  ]\n}\n']) {
      expect(problem(text)).toBe('ok');
    }
  });

  it('reports a document that is not valid at all as such, before any spelling problem', () => {
    expect(problem('{"a": 1, "a": 2}')).toBe('duplicate_key');
    expect(problem('{ "a": 1, }\n')).toBe('syntax');
    expect(problem('[\n  1.0,\n  01\n]\n')).toBe('number_form');
    expect(problem('[\n  1.0,\n  x\n]\n')).toBe('syntax');
  });

  it('refuses lone surrogates outside canonical mode too, and accepts other spellings there', () => {
    const plain = (text: string) => parseStrictJson(text, { maxDepth: 4 });
    expect(() => plain('"\\udead"')).toThrow(StrictJsonError);
    expect(plain(' { "a" : [1.5e3, "\\u0041\\/"] } ')).toEqual({ a: [1500, 'A/'] });
  });
});
