// The canonical JSON writer: the one spelling of a value that signed documents may use, and that
// parse-strict-json.ts checks in canonical mode (docs/bundle-format.md, "The canonical form"). Two
// spaces of indentation, a line feed after the value, `": "` between key and value, integers in
// plain decimal, strings escaped as JSON.stringify escapes them (only `"`, `\` and control
// characters), fields of known objects in their declared order and every other object's keys
// sorted by UTF-16 code unit. Values that have no canonical spelling (fractions, lone surrogates,
// strings not in NFC) are written as JSON.stringify would, and the canonical reader refuses them.
import { INDENT } from './parse-strict-json.ts';

/** Known objects list their fields in order; anything else (`free`) has its keys sorted. */
export type JsonShape = { readonly fields: Readonly<Record<string, JsonShape>> } | { readonly items: JsonShape } | 'free';

export function serializeCanonicalJson(value: unknown, shape: JsonShape = 'free'): string {
  return `${write(value, shape, 0)}\n`;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const NO_FIELDS: Readonly<Record<string, JsonShape>> = {};
const indents: string[] = [];
const lineIndent = (depth: number) => (indents[depth] ??= `\n${INDENT.repeat(depth)}`);

function write(value: unknown, shape: JsonShape, depth: number): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`JSON has no spelling for ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object') throw new TypeError(`JSON has no spelling for a ${typeof value}`);
  const inner = lineIndent(depth + 1);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = typeof shape === 'object' && 'items' in shape ? shape.items : 'free';
    const parts: string[] = [];
    for (const item of value) parts.push(write(item, items, depth + 1));
    return `[${inner}${parts.join(`,${inner}`)}${lineIndent(depth)}]`;
  }
  const record = value as Record<string, unknown>;
  const fields = typeof shape === 'object' && 'fields' in shape ? shape.fields : NO_FIELDS;
  const keys = Object.keys(record);
  const parts: string[] = [];
  let declared = 0;
  for (const key in fields) {
    if (!Object.hasOwn(record, key)) continue;
    declared++;
    if (record[key] !== undefined) parts.push(`${JSON.stringify(key)}: ${write(record[key], fields[key] as JsonShape, depth + 1)}`);
  }
  if (keys.length > declared) {
    for (const key of keys.filter((k) => !Object.hasOwn(fields, k)).sort(byCodeUnit)) {
      if (record[key] !== undefined) parts.push(`${JSON.stringify(key)}: ${write(record[key], 'free', depth + 1)}`);
    }
  }
  if (parts.length === 0) return '{}';
  return `{${inner}${parts.join(`,${inner}`)}${lineIndent(depth)}}`;
}
