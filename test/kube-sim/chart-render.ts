// A deliberately tiny Helm (pure): reads a packaged chart (`.tgz`, as a HelmChart's base64
// `chartContent` carries it) and renders its `crds/` and `templates/` with the lookups most
// manifests use — `.Release.Name|Namespace|Service`, `.Chart.Name|Version|AppVersion`,
// `.Values.a.b` — piped through `quote` or `default X`. Any other template action is a render
// error (the helm-install Job then fails), so a chart the sim cannot render never half-installs.
import { gunzipSync } from 'node:zlib';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { isPlainObject, type KObject, type Obj } from './types.ts';

export class RenderError extends Error {}

/** Files of a ustar/pax tar (regular files only), by path. */
export function untar(buf: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= buf.length) {
    const header = buf.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const str = (from: number, len: number): string =>
      header
        .subarray(from, from + len)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const body = buf.subarray(offset + 512, offset + 512 + size);
    const prefix = str(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    longName = undefined;
    if (type === 'x') longName = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
    else if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '\0') files.set(name, Buffer.from(body));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

function lookup(root: Obj, path: string): unknown {
  let node: unknown = root;
  for (const part of path.split('.').filter((p) => p !== '')) node = isPlainObject(node) ? node[part] : undefined;
  return node;
}

function literal(text: string): unknown {
  const t = text.trim();
  if (/^".*"$/.test(t)) return JSON.parse(t) as unknown;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  throw new RenderError(`unsupported literal ${t}`);
}

function evaluate(expr: string, scope: Obj): string {
  const [head = '', ...pipes] = expr.split('|').map((p) => p.trim());
  if (!/^\.(Release|Chart|Values)(\.[A-Za-z0-9_-]+)*$/.test(head))
    throw new RenderError(`kube-sim renders only .Release, .Chart and .Values lookups, not {{ ${expr} }}`);
  let value = lookup(scope, head.slice(1));
  for (const pipe of pipes) {
    const [fn = '', ...args] = pipe.split(/\s+/);
    if (fn === 'quote') value = JSON.stringify(value === undefined || value === null ? '' : String(value));
    else if (fn === 'default' && args.length > 0)
      value = value === undefined || value === null || value === '' || value === false ? literal(args.join(' ')) : value;
    else throw new RenderError(`kube-sim renders only the quote and default functions, not {{ ${expr} }}`);
  }
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Renders one template text. */
export function renderTemplate(text: string, scope: Obj): string {
  return text.replace(
    /(\s*)\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}([ \t]*\n?|\s*)/g,
    (_m, before: string, trimLeft: string, expr: string, trimRight: string, after: string) => {
      const body = expr.startsWith('/*') && expr.endsWith('*/') ? '' : evaluate(expr, scope);
      return `${trimLeft ? '' : before}${body}${trimRight ? '' : after}`;
    },
  );
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function setPath(target: Obj, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = isPlainObject(node[part]) ? node[part] : (node[part] = {});
  node[parts[parts.length - 1] ?? ''] = value;
}

export interface Rendered {
  chart: Obj;
  crds: KObject[];
  objects: KObject[];
}

/** Renders a packaged chart for a release; `set` are HelmChart `spec.set` values. */
export function renderChart(tgz: Buffer, release: { name: string; namespace: string }, valuesContent: string, set: Obj = {}): Rendered {
  let files: Map<string, Buffer>;
  try {
    files = untar(gunzipSync(tgz));
  } catch (error) {
    throw new RenderError(`chart is not a gzipped tar: ${(error as Error).message}`);
  }
  const chartFile = [...files.keys()].find((p) => /^[^/]+\/Chart\.yaml$/.test(p));
  if (!chartFile) throw new RenderError('Chart.yaml file is missing');
  const dir = chartFile.slice(0, chartFile.indexOf('/'));
  const read = (p: string): string => files.get(p)?.toString('utf8') ?? '';
  const chart = (parseYaml(read(chartFile)) ?? {}) as Obj;
  let values = (parseYaml(read(`${dir}/values.yaml`)) ?? {}) as Obj;
  values = deepMerge(values, parseYaml(valuesContent || '{}') ?? {}) as Obj;
  for (const [k, v] of Object.entries(set)) setPath(values, k, v);
  const scope = {
    Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm' },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
    Values: values,
  };
  const docs = (prefix: string, render: boolean): KObject[] => {
    const out: KObject[] = [];
    for (const path of [...files.keys()].filter((p) => p.startsWith(`${dir}/${prefix}/`) && /\.ya?ml$/.test(p) && !/\/_[^/]*$/.test(p)).sort()) {
      const text = render ? renderTemplate(read(path), scope) : read(path);
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length) throw new RenderError(`${path}: ${doc.errors[0]?.message}`);
        const value: unknown = doc.toJS();
        if (value === null || value === undefined) continue;
        if (!isPlainObject(value) || typeof value.kind !== 'string' || typeof value.apiVersion !== 'string')
          throw new RenderError(`${path}: every document needs apiVersion and kind`);
        out.push(value as KObject);
      }
    }
    return out;
  };
  return { chart, crds: docs('crds', false), objects: docs('templates', true) };
}
