// Label and field selectors (pure): parse once, match many. Grammar follows
// k8s.io/apimachinery/pkg/labels: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`.
import { badRequest, type Obj } from './types.ts';

export type Requirement =
  { key: string; op: 'eq' | 'neq'; value: string } | { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | 'notexists' };

export type Selector = Requirement[];

/** Splits on commas that are not inside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkKey(key: string, text: string): string {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${text}"`);
  return key;
}

function checkValue(value: string, text: string): string {
  if (!VALUE.test(value)) throw badRequest(`unable to parse requirement: invalid label value "${value}" in "${text}"`);
  return value;
}

export function parseLabelSelector(text: string | null | undefined): Selector {
  if (!text) return [];
  return splitTop(text).map((part): Requirement => {
    const setMatch = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
    if (setMatch) {
      const values = (setMatch[3] ?? '').split(',').map((v) => checkValue(v.trim(), part));
      return { key: checkKey(setMatch[1] ?? '', part), op: setMatch[2] === 'in' ? 'in' : 'notin', values };
    }
    const cmp = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (cmp) {
      const key = checkKey(cmp[1] ?? '', part);
      const value = checkValue((cmp[3] ?? '').trim(), part);
      return cmp[2] === '!=' ? { key, op: 'neq', value } : { key, op: 'eq', value };
    }
    if (part.startsWith('!')) return { key: checkKey(part.slice(1).trim(), part), op: 'notexists' };
    return { key: checkKey(part, part), op: 'exists' };
  });
}

/** Matches a selector against a flat map (labels, or the field-selector view of an object). */
export function matches(selector: Selector, fields: Record<string, string | undefined>): boolean {
  return selector.every((req) => {
    const has = Object.hasOwn(fields, req.key) && fields[req.key] !== undefined;
    const value = fields[req.key];
    switch (req.op) {
      case 'eq':
        return has && value === req.value;
      case 'neq':
        return !has || value !== req.value;
      case 'in':
        return has && req.values.includes(value ?? '');
      case 'notin':
        return !has || !req.values.includes(value ?? '');
      case 'exists':
        return has;
      case 'notexists':
        return !has;
    }
    return false;
  });
}

/** Field selectors allow only `=`, `==` and `!=` (as the API server does). */
export function parseFieldSelector(text: string | null | undefined): Selector {
  if (!text) return [];
  return splitTop(text).map((part): Requirement => {
    const cmp = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!cmp) throw badRequest(`invalid field selector: "${part}"`);
    const key = cmp[1] ?? '';
    const value = (cmp[3] ?? '').trim();
    return cmp[2] === '!=' ? { key, op: 'neq', value } : { key, op: 'eq', value };
  });
}

/** The fields a resource supports in field selectors, as the real API server exposes them. */
export function fieldsOf(kind: string, obj: Obj): Record<string, string | undefined> {
  const meta = obj.metadata ?? {};
  const base: Record<string, string | undefined> = {
    'metadata.name': meta.name,
    'metadata.namespace': meta.namespace ?? '',
  };
  if (kind === 'Pod') {
    base['spec.nodeName'] = obj.spec?.nodeName ?? '';
    base['spec.restartPolicy'] = obj.spec?.restartPolicy ?? '';
    base['spec.schedulerName'] = obj.spec?.schedulerName ?? '';
    base['spec.serviceAccountName'] = obj.spec?.serviceAccountName ?? '';
    base['status.phase'] = obj.status?.phase ?? '';
    base['status.podIP'] = obj.status?.podIP ?? '';
  } else if (kind === 'Event') {
    const io = obj.involvedObject ?? {};
    for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
      base[`involvedObject.${k}`] = io[k] ?? '';
    }
    base['reason'] = obj.reason ?? '';
    base['reportingComponent'] = obj.reportingComponent ?? '';
    base['source'] = obj.source?.component ?? '';
    base['type'] = obj.type ?? '';
  } else if (kind === 'Namespace') {
    base['status.phase'] = obj.status?.phase ?? '';
  } else if (kind === 'Secret') {
    base['type'] = obj.type ?? '';
  } else if (kind === 'Node') {
    base['spec.unschedulable'] = String(obj.spec?.unschedulable ?? false);
  } else if (kind === 'ReplicaSet' || kind === 'Job') {
    base['status.replicas'] = String(obj.status?.replicas ?? 0);
    if (kind === 'Job') base['status.successful'] = String(obj.status?.succeeded ?? 0);
  }
  return base;
}

/** Rejects field selector keys the resource does not support (the server answers 400). */
export function checkFieldSelector(kind: string, selector: Selector, obj: Obj): void {
  const known = fieldsOf(kind, obj);
  for (const req of selector) {
    if (!Object.hasOwn(known, req.key)) {
      throw badRequest(`field label not supported: ${req.key}`);
    }
  }
}

/** Turns a LabelSelector object ({matchLabels, matchExpressions}) into requirements. */
export function fromLabelSelector(sel: Obj | undefined): Selector {
  if (!sel) return [];
  const out: Requirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) out.push({ key, op: 'eq', value: String(value) });
  for (const expr of sel.matchExpressions ?? []) {
    const op = String(expr.operator ?? '').toLowerCase();
    if (op === 'in' || op === 'notin') out.push({ key: expr.key, op, values: expr.values ?? [] });
    else if (op === 'exists') out.push({ key: expr.key, op: 'exists' });
    else if (op === 'doesnotexist') out.push({ key: expr.key, op: 'notexists' });
  }
  return out;
}
