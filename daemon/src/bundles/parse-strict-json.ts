// A strict JSON parser for signed documents: RFC 8259 grammar only, duplicate object keys, nesting
// deeper than a limit and strings that are not well-formed Unicode (lone surrogates) are errors:
// JSON.parse keeps the last duplicate and passes lone surrogates through, which lets two readers of
// the same signed bytes disagree. With `canonical`, the text must also be spelled exactly as
// canonical-json-pure.ts writes it (layout, integer spelling, escapes, NFC), so every value has one
// spelling. A document that is not valid at all is reported as such; only a valid one is reported
// for its first deviation from the canonical spelling. Pure: text in, value or error out.

export type StrictJsonProblem = 'syntax' | 'duplicate_key' | 'too_deep' | 'invalid_unicode' | 'number_form' | 'escape_form' | 'whitespace';

export class StrictJsonError extends Error {
  readonly problem: StrictJsonProblem;
  /** Where it happened, as a field path (`files[2].path`) or `$` for the top. */
  readonly path: string;

  constructor(problem: StrictJsonProblem, message: string, path: string) {
    super(message);
    this.name = 'StrictJsonError';
    this.problem = problem;
    this.path = path;
  }
}

export interface StrictJsonOptions {
  /** Objects and arrays nested deeper than this are refused (the top value is depth 1). */
  maxDepth: number;
  /** Require the one canonical spelling (see docs/bundle-format.md, "The canonical form"). */
  canonical?: boolean;
}

export function parseStrictJson(text: string, options: StrictJsonOptions): unknown {
  const parser = new Parser(text, options.maxDepth, options.canonical ?? false);
  parser.gap('', '$');
  const value = parser.parseValue(1, '$');
  parser.gap('\n', '$');
  if (parser.pos !== text.length) parser.fail('unexpected data after the JSON value', '$');
  if (parser.deviation) throw parser.deviation;
  return value;
}

// Longest run that could be meant as a number, so "01", "1.", "1e" are judged as one token.
const NUMBER_TOKEN = /-?\d+(?:\.\d*)?(?:[eE][+-]?\d*)?/y;
const RFC_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const CANONICAL_INTEGER = /^(?:0|-?[1-9]\d*)$/;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
/** Control characters the canonical form writes with a short escape (JSON.stringify's choice). */
const SHORT_ESCAPED = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);
const HEX4 = /^[0-9a-fA-F]{4}$/;
const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

export const INDENT = '  ';
const indents: string[] = [];
/** A line feed and the indentation of `depth` levels, as the canonical form writes it. */
const lineIndent = (depth: number) => (indents[depth] ??= `\n${INDENT.repeat(depth)}`);

class Parser {
  readonly text: string;
  readonly maxDepth: number;
  readonly canonical: boolean;
  pos = 0;
  /** The first departure from the canonical spelling; reported once the whole text proved valid. */
  deviation: StrictJsonError | null = null;

  constructor(text: string, maxDepth: number, canonical: boolean) {
    this.text = text;
    this.maxDepth = maxDepth;
    this.canonical = canonical;
  }

  fail(message: string, path: string, problem: StrictJsonProblem = 'syntax'): never {
    throw new StrictJsonError(problem, `${message} at offset ${this.pos}`, path);
  }

  deviate(problem: StrictJsonProblem, message: string, path: string, at = this.pos): void {
    this.deviation ??= new StrictJsonError(problem, `${message} at offset ${at}`, path);
  }

  /** Whitespace between tokens: any in plain mode; exactly `expected` in canonical mode. */
  gap(expected: string, path: string): void {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length && isWhitespace(t.charCodeAt(this.pos))) this.pos++;
    if (!this.canonical || (this.pos - start === expected.length && (expected.length === 0 || t.startsWith(expected, start)))) return;
    const found = JSON.stringify(t.slice(start, this.pos));
    this.deviate('whitespace', `whitespace ${found} where the canonical form has ${JSON.stringify(expected)}`, path, start);
  }

  /** The first character after any whitespace at `pos` (not consumed). */
  nextToken(): string | undefined {
    let at = this.pos;
    while (at < this.text.length && isWhitespace(this.text.charCodeAt(at))) at++;
    return this.text[at];
  }

  parseValue(depth: number, path: string): unknown {
    const c = this.text[this.pos];
    if (c === '{' || c === '[') {
      if (depth > this.maxDepth) throw new StrictJsonError('too_deep', `nesting deeper than ${this.maxDepth} levels`, path);
      return c === '{' ? this.parseObject(depth, path) : this.parseArray(depth, path);
    }
    if (c === '"') return this.parseString(path);
    if (this.text.startsWith('true', this.pos)) return this.literal(4, true);
    if (this.text.startsWith('false', this.pos)) return this.literal(5, false);
    if (this.text.startsWith('null', this.pos)) return this.literal(4, null);
    return this.parseNumber(c, path);
  }

  parseNumber(c: string | undefined, path: string): number {
    NUMBER_TOKEN.lastIndex = this.pos;
    const token = NUMBER_TOKEN.exec(this.text)?.[0];
    if (token === undefined) this.fail(c === undefined ? 'unexpected end of JSON' : `unexpected character ${JSON.stringify(c)}`, path);
    const integer = CANONICAL_INTEGER.test(token);
    // "01" is not JSON at all; in canonical mode it is reported with the other number spellings.
    if (!integer && !RFC_NUMBER.test(token) && !(this.canonical && /^-?0\d/.test(token))) this.fail(`malformed number ${JSON.stringify(token)}`, path);
    const value = Number(token);
    if (this.canonical && !(integer && Number.isSafeInteger(value))) {
      this.deviate('number_form', `the number ${token} is not a canonical integer (${numberFormReason(token, value)})`, path);
    }
    this.pos += token.length;
    return value;
  }

  literal(length: number, value: boolean | null): boolean | null {
    this.pos += length;
    return value;
  }

  parseObject(depth: number, path: string): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    const inner = lineIndent(depth);
    this.pos++;
    if (this.nextToken() === '}') {
      this.gap('', path);
      this.pos++;
      return result;
    }
    for (;;) {
      this.gap(inner, path);
      if (this.text[this.pos] !== '"') this.fail('expected a string key', path);
      const key = this.parseString(path);
      const childPath = path === '$' ? key : `${path}.${key}`;
      if (seen.has(key)) throw new StrictJsonError('duplicate_key', `duplicate key ${JSON.stringify(key)}`, childPath);
      seen.add(key);
      this.gap('', childPath);
      if (this.text[this.pos] !== ':') this.fail('expected ":"', childPath);
      this.pos++;
      this.gap(' ', childPath);
      const value = this.parseValue(depth + 1, childPath);
      // defineProperty: a "__proto__" key stays data and never changes the prototype. Only there,
      // since defined properties make V8 keep the object in slow dictionary mode.
      if (key === '__proto__') Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      else result[key] = value;
      if (this.closes('}', depth, path)) return result;
    }
  }

  parseArray(depth: number, path: string): unknown[] {
    const result: unknown[] = [];
    const inner = lineIndent(depth);
    this.pos++;
    if (this.nextToken() === ']') {
      this.gap('', path);
      this.pos++;
      return result;
    }
    for (;;) {
      const itemPath = `${path}[${result.length}]`;
      this.gap(inner, itemPath);
      result.push(this.parseValue(depth + 1, itemPath));
      if (this.closes(']', depth, path)) return result;
    }
  }

  /** After a member: true at the closing bracket (consumed), false at a comma (consumed). */
  closes(close: string, depth: number, path: string): boolean {
    const next = this.nextToken();
    if (next === close) this.gap(lineIndent(depth - 1), path);
    else if (next === ',') this.gap('', path);
    else this.fail(`expected "," or "${close}"`, path);
    this.pos++;
    return next === close;
  }

  parseString(path: string): string {
    const t = this.text;
    let out = '';
    let nonAscii = false;
    const opening = this.pos;
    let start = ++this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('unterminated string', path);
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(start, this.pos++);
        if (this.canonical && nonAscii && out.normalize('NFC') !== out) {
          this.deviate('invalid_unicode', 'a string that is not in Unicode Normalization Form C', path, opening);
        }
        return out;
      }
      if (c < 0x20) this.fail('control character in string', path);
      if (c !== 0x5c) {
        if (c >= 0x80) {
          nonAscii = true;
          if (isHigh(c) && isLow(t.charCodeAt(this.pos + 1))) this.pos++;
          else if (isHigh(c) || isLow(c)) this.fail('a lone surrogate in a string', path, 'invalid_unicode');
        }
        this.pos++;
        continue;
      }
      out += t.slice(start, this.pos);
      out += this.parseEscape(path);
      nonAscii ||= out.charCodeAt(out.length - 1) >= 0x80;
      start = this.pos;
    }
  }

  /** One escape at `pos` (a backslash): its decoded text; a surrogate pair is decoded as one. */
  parseEscape(path: string): string {
    const t = this.text;
    const e = t[this.pos + 1];
    if (e !== 'u') {
      const decoded = e === undefined ? undefined : ESCAPES[e];
      if (decoded === undefined) this.fail('bad escape', path);
      if (this.canonical && e === '/') this.deviate('escape_form', 'the escape \\/ where the canonical form writes /', path);
      this.pos += 2;
      return decoded;
    }
    const hex = t.slice(this.pos + 2, this.pos + 6);
    if (!HEX4.test(hex)) this.fail('bad \\u escape', path);
    const unit = parseInt(hex, 16);
    if (isLow(unit)) this.fail(`a lone surrogate \\u${hex}`, path, 'invalid_unicode');
    if (isHigh(unit)) {
      const lowHex = t.slice(this.pos + 8, this.pos + 12);
      const low = t.startsWith('\\u', this.pos + 6) && HEX4.test(lowHex) ? parseInt(lowHex, 16) : -1;
      if (!isLow(low)) this.fail(`a lone surrogate \\u${hex}`, path, 'invalid_unicode');
      if (this.canonical) this.deviate('escape_form', `the escape \\u${hex}\\u${lowHex} where the canonical form writes the character itself`, path);
      this.pos += 12;
      return String.fromCharCode(unit, low);
    }
    if (this.canonical) {
      const short = SHORT_ESCAPED.has(unit) ? JSON.stringify(String.fromCharCode(unit)).slice(1, -1) : `\\u${hex.toLowerCase()}`;
      const wanted = unit >= 0x20 ? 'the character itself' : short;
      if (wanted !== `\\u${hex}`) this.deviate('escape_form', `the escape \\u${hex} where the canonical form writes ${wanted}`, path);
    }
    this.pos += 6;
    return String.fromCharCode(unit);
  }
}

function numberFormReason(token: string, value: number): string {
  if (/^-?0\d/.test(token)) return 'a leading zero';
  if (/[.eE]/.test(token)) return Number.isInteger(value) ? 'a fraction or exponent: write the plain integer' : 'numbers are integers';
  if (token === '-0') return 'negative zero: write 0';
  return 'beyond ±(2^53−1), where numbers lose precision';
}
