// Just enough Kubernetes protobuf to accept what kubectl's imperative commands send for simple
// kinds (Namespace, ConfigMap, Secret, ServiceAccount, Role, ClusterRole, RoleBinding,
// ClusterRoleBinding, TokenRequest and the self reviews of `kubectl auth`): the `k8s\0` envelope
// (runtime.Unknown) and the fields of those types. Anything else is refused with 415.
import { ApiError, type Obj } from './types.ts';

type Field = { n: number; wire: number; value: bigint | Uint8Array };

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = pos; i < buf.length; i++) {
    const byte = buf[i] ?? 0;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, i + 1];
    shift += 7n;
    if (shift > 63n) break;
  }
  throw new ApiError(400, 'BadRequest', 'invalid protobuf: bad varint');
}

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, next] = readVarint(buf, pos);
    pos = next;
    const n = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [v, p] = readVarint(buf, pos);
      out.push({ n, wire, value: v });
      pos = p;
    } else if (wire === 2) {
      const [len, p] = readVarint(buf, pos);
      const end = p + Number(len);
      if (end > buf.length) throw new ApiError(400, 'BadRequest', 'invalid protobuf: truncated field');
      out.push({ n, wire, value: buf.subarray(p, end) });
      pos = end;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new ApiError(400, 'BadRequest', `invalid protobuf: wire type ${wire}`);
  }
  return out;
}

const text = (f: Field): string => Buffer.from(f.value as Uint8Array).toString('utf8');
const bytes = (f: Field): Uint8Array => f.value as Uint8Array;

function stringMap(fs: Field[], n: number, asBase64 = false): Obj | undefined {
  const entries = fs.filter((f) => f.n === n && f.wire === 2);
  if (entries.length === 0) return undefined;
  const out: Obj = {};
  for (const e of entries) {
    const kv = fields(bytes(e));
    const k = kv.find((f) => f.n === 1);
    const v = kv.find((f) => f.n === 2);
    out[k ? text(k) : ''] = v ? (asBase64 ? Buffer.from(bytes(v)).toString('base64') : text(v)) : '';
  }
  return out;
}

function objectMeta(buf: Uint8Array): Obj {
  const fs = fields(buf);
  const meta: Obj = {};
  const str = (n: number, key: string): void => {
    const f = fs.find((x) => x.n === n && x.wire === 2);
    if (f) meta[key] = text(f);
  };
  str(1, 'name');
  str(2, 'generateName');
  str(3, 'namespace');
  const labels = stringMap(fs, 11);
  if (labels) meta.labels = labels;
  const annotations = stringMap(fs, 12);
  if (annotations) meta.annotations = annotations;
  const finalizers = fs.filter((f) => f.n === 14).map(text);
  if (finalizers.length) meta.finalizers = finalizers;
  return meta;
}

const strings = (buf: Uint8Array, n: number): string[] =>
  fields(buf)
    .filter((f) => f.n === n && f.wire === 2)
    .map(text);

function record(buf: Uint8Array, names: string[]): Obj {
  const out: Obj = {};
  for (const f of fields(buf)) if (f.wire === 2 && names[f.n - 1]) out[names[f.n - 1] as string] = text(f);
  return out;
}

function rule(buf: Uint8Array): Obj {
  const out: Obj = {};
  ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'].forEach((name, i) => {
    const list = strings(buf, i + 1);
    if (list.length || name === 'verbs') out[name] = list;
  });
  return out;
}

function decodeRbac(kind: string, fs: Field[], obj: Obj): Obj {
  if (kind === 'Role' || kind === 'ClusterRole') {
    obj.rules = fs.filter((f) => f.n === 2).map((f) => rule(bytes(f)));
    const agg = fs.find((f) => f.n === 3);
    if (kind === 'ClusterRole' && agg)
      obj.aggregationRule = {
        clusterRoleSelectors: fields(bytes(agg))
          .filter((f) => f.n === 1)
          .map((f) => ({ matchLabels: stringMap(fields(bytes(f)), 1) ?? {} })),
      };
    return obj;
  }
  obj.subjects = fs.filter((f) => f.n === 2).map((f) => record(bytes(f), ['kind', 'apiGroup', 'name', 'namespace']));
  const ref = fs.find((f) => f.n === 3);
  if (ref) obj.roleRef = record(bytes(ref), ['apiGroup', 'kind', 'name']);
  return obj;
}

function decodeKind(kind: string, raw: Uint8Array): Obj {
  const fs = fields(raw);
  const first = (n: number): Field | undefined => fs.find((f) => f.n === n);
  const meta = first(1);
  const obj: Obj = { metadata: meta ? objectMeta(bytes(meta)) : {} };
  const bool = (n: number, key: string): void => {
    const f = first(n);
    if (f && f.wire === 0) obj[key] = f.value !== 0n;
  };
  switch (kind) {
    case 'Namespace': {
      const spec = first(2);
      if (spec)
        obj.spec = {
          finalizers: fields(bytes(spec))
            .filter((f) => f.n === 1)
            .map(text),
        };
      return obj;
    }
    case 'ConfigMap': {
      const data = stringMap(fs, 2);
      const binary = stringMap(fs, 3, true);
      if (data) obj.data = data;
      if (binary) obj.binaryData = binary;
      bool(4, 'immutable');
      return obj;
    }
    case 'Secret': {
      const data = stringMap(fs, 2, true);
      if (data) obj.data = data;
      const type = first(3);
      if (type) obj.type = text(type);
      const stringData = stringMap(fs, 4);
      if (stringData) obj.stringData = stringData;
      bool(5, 'immutable');
      return obj;
    }
    case 'SelfSubjectAccessReview': {
      const spec = first(2);
      const specFields = spec ? fields(bytes(spec)) : [];
      const attrs = (n: number, names: string[]): Obj | undefined => {
        const f = specFields.find((x) => x.n === n);
        if (!f) return undefined;
        const out: Obj = {};
        for (const x of fields(bytes(f))) if (x.wire === 2 && names[x.n - 1]) out[names[x.n - 1] as string] = text(x);
        return out;
      };
      const resourceAttributes = attrs(1, ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name']);
      const nonResourceAttributes = attrs(2, ['path', 'verb']);
      obj.spec = { ...(resourceAttributes ? { resourceAttributes } : {}), ...(nonResourceAttributes ? { nonResourceAttributes } : {}) };
      return obj;
    }
    case 'Role':
    case 'ClusterRole':
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return decodeRbac(kind, fs, obj);
    case 'TokenRequest': {
      const spec = first(2);
      const sf = spec ? fields(bytes(spec)) : [];
      const seconds = sf.find((f) => f.n === 4 && f.wire === 0);
      const bound = sf.find((f) => f.n === 3);
      obj.spec = {
        audiences: sf.filter((f) => f.n === 1).map(text),
        ...(seconds ? { expirationSeconds: Number(seconds.value) } : {}),
        ...(bound ? { boundObjectRef: record(bytes(bound), ['kind', 'apiVersion', 'name', 'uid']) } : {}),
      };
      return obj;
    }
    case 'SelfSubjectRulesReview': {
      const spec = first(2);
      obj.spec = spec ? record(bytes(spec), ['namespace']) : {};
      return obj;
    }
    case 'SelfSubjectReview':
      return obj;
    case 'ServiceAccount': {
      const pulls = fs
        .filter((f) => f.n === 3)
        .map((f) => ({ name: text(fields(bytes(f)).find((x) => x.n === 1) ?? { n: 1, wire: 2, value: new Uint8Array() }) }));
      if (pulls.length) obj.imagePullSecrets = pulls;
      bool(4, 'automountServiceAccountToken');
      return obj;
    }
  }
  throw new ApiError(
    415,
    'UnsupportedMediaType',
    `kube-sim decodes protobuf only for ${DECODED.join(', ')} (got ${kind}); send JSON or YAML (e.g. kubectl create -f)`,
  );
}

const DECODED = [
  'Namespace',
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'TokenRequest',
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'SelfSubjectReview',
];

/** Decodes a `k8s\0`-enveloped protobuf body into a JSON object. */
export function decodeProtobuf(body: Uint8Array): Obj {
  const magic = [0x6b, 0x38, 0x73, 0x00];
  if (body.length < 4 || magic.some((b, i) => body[i] !== b)) throw new ApiError(400, 'BadRequest', 'invalid protobuf: missing k8s envelope');
  const unknown = fields(body.subarray(4));
  const typeMeta = unknown.find((f) => f.n === 1);
  const raw = unknown.find((f) => f.n === 2);
  const tm = typeMeta ? fields(bytes(typeMeta)) : [];
  const apiVersion = tm.find((f) => f.n === 1);
  const kind = tm.find((f) => f.n === 2);
  const kindText = kind ? text(kind) : '';
  const obj = decodeKind(kindText, raw ? bytes(raw) : new Uint8Array());
  return { apiVersion: apiVersion ? text(apiVersion) : 'v1', kind: kindText, ...obj };
}
