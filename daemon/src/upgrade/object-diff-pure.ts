// What changes in one object between two versions, field by field, for a person reading the plan
// (pure). Containers are matched by name (image from→to, env keys, the rest by path), ConfigMap and
// Secret data by key; everything else as leaf paths. Values are shown only when short, never for
// Secrets or env (which often carry credentials); the version annotation Outpost sets is ignored.
import type { FieldChange } from '../protocol/upgrade.ts';
import { podSpecOf } from './images-pure.ts';
import { VERSION_ANNOTATION } from './manifests-pure.ts';

type Json = Record<string, unknown>;

export const MAX_FIELD_CHANGES = 40;
const MAX_VALUE_CHARS = 80;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function show(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length <= MAX_VALUE_CHARS && !text.includes('\n') ? text : undefined;
}

function change(field: string, from: unknown, to: unknown, hideValues = false): FieldChange {
  const kind = from === undefined ? 'added' : to === undefined ? 'removed' : 'changed';
  const out: FieldChange = { field, change: kind };
  if (!hideValues) {
    const f = show(from);
    const t = show(to);
    if (f !== undefined) out.from = f;
    if (t !== undefined) out.to = t;
  }
  return out;
}

/** Leaf differences under `path`; arrays compare as a whole. */
function diffTree(path: string, a: unknown, b: unknown, out: FieldChange[], hideValues = false): void {
  if (same(a, b)) return;
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) diffTree(path ? `${path}.${key}` : key, a[key], b[key], out, hideValues);
    return;
  }
  out.push(change(path, a, b, hideValues));
}

function keyedDiff(prefix: string, a: unknown, b: unknown, out: FieldChange[], hideValues: boolean): void {
  const x = isObject(a) ? a : {};
  const y = isObject(b) ? b : {};
  for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) {
    if (!same(x[key], y[key])) out.push(change(`${prefix}.${key}`, x[key], y[key], hideValues));
  }
}

function byName(list: unknown): Map<string, Json> {
  const map = new Map<string, Json>();
  if (Array.isArray(list)) for (const item of list) if (isObject(item)) map.set(String(item.name ?? ''), item);
  return map;
}

function containersDiff(field: string, a: unknown, b: unknown, out: FieldChange[]): void {
  const before = byName(a);
  const after = byName(b);
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const x = before.get(name);
    const y = after.get(name);
    const at = `${field}[${name}]`;
    if (!x || !y) {
      out.push(change(at, x ? (x.image ?? name) : undefined, y ? (y.image ?? name) : undefined));
      continue;
    }
    if (!same(x.image, y.image)) out.push(change(`${at}.image`, x.image, y.image));
    const envBefore = byName(x.env);
    const envAfter = byName(y.env);
    for (const key of new Set([...envBefore.keys(), ...envAfter.keys()])) {
      if (!same(envBefore.get(key), envAfter.get(key))) out.push(change(`env[${name}].${key}`, envBefore.get(key), envAfter.get(key), true));
    }
    const { image: _i, env: _e, ...restBefore } = x;
    const { image: _j, env: _f, ...restAfter } = y;
    diffTree(at, restBefore, restAfter, out);
  }
}

function withoutVersion(meta: unknown): Json {
  if (!isObject(meta)) return {};
  const annotations = isObject(meta.annotations) ? { ...meta.annotations } : undefined;
  if (annotations) delete annotations[VERSION_ANNOTATION];
  return { ...meta, ...(annotations ? { annotations } : {}) };
}

function stripPodSpec(o: Json): Json {
  const copy = structuredClone(o);
  const spec = podSpecOf(copy);
  if (spec) {
    delete spec.containers;
    delete spec.initContainers;
  }
  return copy;
}

/** The field-level summary of `before` → `after` (two documents of the same object). */
export function summarizeChange(before: Json, after: Json): FieldChange[] {
  const out: FieldChange[] = [];
  diffTree('metadata', withoutVersion(before.metadata), withoutVersion(after.metadata), out);
  const kind = after.kind;
  if (kind === 'ConfigMap' || kind === 'Secret') {
    const hide = kind === 'Secret';
    for (const field of ['data', 'stringData', 'binaryData']) keyedDiff(field, before[field], after[field], out, hide || field === 'binaryData');
    const { metadata: _a, data: _b, stringData: _c, binaryData: _d, ...restBefore } = before;
    const { metadata: _e, data: _f, stringData: _g, binaryData: _h, ...restAfter } = after;
    diffTree('', restBefore, restAfter, out, hide);
  } else {
    const podBefore = podSpecOf(before);
    const podAfter = podSpecOf(after);
    if (podBefore || podAfter) {
      containersDiff('initContainers', podBefore?.initContainers, podAfter?.initContainers, out);
      containersDiff('containers', podBefore?.containers, podAfter?.containers, out);
    }
    const { metadata: _a, ...restBefore } = podBefore ? stripPodSpec(before) : before;
    const { metadata: _b, ...restAfter } = podAfter ? stripPodSpec(after) : after;
    diffTree('', restBefore, restAfter, out);
  }
  if (out.length <= MAX_FIELD_CHANGES) return out;
  const kept = out.slice(0, MAX_FIELD_CHANGES - 1);
  kept.push({ field: `… and ${out.length - kept.length} more fields`, change: 'changed' });
  return kept;
}
