// A strict JSON parser for signed documents: RFC 8259 grammar only, duplicate object keys and
// nesting deeper than a limit are errors (JSON.parse silently keeps the last duplicate, which lets
// two readers of the same signed bytes disagree). Pure: text in, value or StrictJsonError out.

export type StrictJsonProblem = 'syntax' | 'duplicate_key' | 'too_deep';

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
}

export function parseStrictJson(text: string, options: StrictJsonOptions): unknown {
  const parser = new Parser(text, options.maxDepth);
  parser.skipWhitespace();
  const value = parser.parseValue(1, '$');
  parser.skipWhitespace();
  if (parser.pos !== text.length) parser.fail('unexpected data after the JSON value', '$');
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Parser {
  readonly text: string;
  readonly maxDepth: number;
  pos = 0;

  constructor(text: string, maxDepth: number) {
    this.text = text;
    this.maxDepth = maxDepth;
  }

  fail(message: string, path: string): never {
    throw new StrictJsonError('syntax', `${message} at offset ${this.pos}`, path);
  }

  skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
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
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail(c === undefined ? 'unexpected end of JSON' : `unexpected character ${JSON.stringify(c)}`, path);
    this.pos += match[0].length;
    return Number(match[0]);
  }

  literal(length: number, value: boolean | null): boolean | null {
    this.pos += length;
    return value;
  }

  parseObject(depth: number, path: string): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a string key', path);
      const key = this.parseString(path);
      const childPath = path === '$' ? key : `${path}.${key}`;
      if (seen.has(key)) throw new StrictJsonError('duplicate_key', `duplicate key ${JSON.stringify(key)}`, childPath);
      seen.add(key);
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail('expected ":"', childPath);
      this.pos++;
      this.skipWhitespace();
      // defineProperty: a "__proto__" key stays data and never changes the prototype.
      Object.defineProperty(result, key, { value: this.parseValue(depth + 1, childPath), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === '}') return result;
      if (next !== ',') this.fail('expected "," or "}"', path);
    }
  }

  parseArray(depth: number, path: string): unknown[] {
    const result: unknown[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      result.push(this.parseValue(depth + 1, `${path}[${result.length}]`));
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === ']') return result;
      if (next !== ',') this.fail('expected "," or "]"', path);
    }
  }

  parseString(path: string): string {
    const t = this.text;
    let out = '';
    let start = ++this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('unterminated string', path);
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(start, this.pos++);
        return out;
      }
      if (c < 0x20) this.fail('control character in string', path);
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(start, this.pos);
      const e = t[this.pos + 1];
      if (e === 'u') {
        const hex = t.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape', path);
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const decoded = e === undefined ? undefined : ESCAPES[e];
        if (decoded === undefined) this.fail('bad escape', path);
        out += decoded;
        this.pos += 2;
      }
      start = this.pos;
    }
  }
}
