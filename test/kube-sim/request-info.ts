// Request attributes for authorization (pure): the API server's RequestInfoFactory, ported. A
// path is a resource request only under /api/<v>/… or /apis/<g>/<v>/…; everything else
// (discovery documents included) is a non-resource request whose verb is the lower-cased method.

export interface RequestAttributes {
  resourceRequest: boolean;
  /** get, list, watch, create, update, patch, delete, deletecollection; or get/post/… for paths. */
  verb: string;
  path: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
const SEGMENT = /^[^/%]+$/;

function methodVerb(method: string): string {
  switch (method) {
    case 'POST':
      return 'create';
    case 'GET':
    case 'HEAD':
      return 'get';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return '';
  }
}

/** The name a field selector pins with `metadata.name=x` (or `==`), if it is the only way it can match. */
function exactName(fieldSelector: string | null): string {
  if (!fieldSelector) return '';
  for (const part of fieldSelector.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(part);
    if (m && m[1] && SEGMENT.test(m[1]) && m[1] !== '.' && m[1] !== '..') return m[1];
  }
  return '';
}

export function requestAttributes(method: string, pathname: string, query: URLSearchParams): RequestAttributes {
  const info: RequestAttributes = {
    resourceRequest: false,
    verb: method.toLowerCase(),
    path: pathname,
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };
  let parts = pathname.split('/').filter((s) => s !== '');
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return info;
  const grouped = parts[0] === 'apis';
  parts = parts.slice(1);
  if (grouped) {
    if (parts.length < 3) return info;
    info.apiGroup = parts[0] ?? '';
    parts = parts.slice(1);
  }
  info.resourceRequest = true;
  info.apiVersion = parts[0] ?? '';
  parts = parts.slice(1);
  if (SPECIAL_VERBS.has(parts[0] ?? '') && parts.length >= 2) {
    info.verb = parts[0] ?? '';
    parts = parts.slice(1);
  } else info.verb = methodVerb(method);
  if (parts[0] === 'namespaces' && parts.length > 1) {
    info.namespace = parts[1] ?? '';
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] ?? '')) parts = parts.slice(2);
  }
  if (parts.length >= 3 && info.verb !== 'proxy') info.subresource = parts[2] ?? '';
  if (parts.length >= 2) info.name = parts[1] ?? '';
  info.resource = parts[0] ?? '';
  if (!info.name && info.verb === 'get') {
    const watch = query.get('watch');
    info.verb = watch === 'true' || watch === '1' ? 'watch' : 'list';
    info.name = exactName(query.get('fieldSelector'));
  }
  if (!info.name && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}
