// Discovery and OpenAPI documents (pure). kubectl accepts the legacy discovery lists; for
// `apply --server-side` it reads OpenAPI v3 to learn that PATCH takes `fieldValidation`, so
// each group-version document lists its resources' paths with that parameter and the
// x-kubernetes-group-version-kind extension, and nothing else (no schemas).
import { groupVersion, type Registry } from './resources.ts';
import type { Obj } from './types.ts';

export const KUBE_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.5+k3s1',
  gitCommit: '8e8f2a4726fdb4ca628eb62b2a526b64d0e6a763',
  gitTreeState: 'clean',
  buildDate: '2025-05-21T17:00:00Z',
  goVersion: 'go1.23.8',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(host: string): Obj {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] };
}

function apiGroup(registry: Registry, group: string): Obj | undefined {
  const entry = registry.groups().find((g) => g.group === group);
  if (!entry) return undefined;
  const versions = entry.versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(registry: Registry): Obj {
  const groups = registry.groups().map((g) => apiGroup(registry, g.group));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroupDoc(registry: Registry, group: string): Obj | undefined {
  return apiGroup(registry, group);
}

export function openApiV3Root(registry: Registry): Obj {
  const paths: Obj = { api: { serverRelativeURL: '/openapi/v3/api?hash=0' }, apis: { serverRelativeURL: '/openapi/v3/apis?hash=0' } };
  for (const gv of new Set(registry.all().map((i) => groupVersion(i)))) {
    const prefix = gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
    paths[prefix] = { serverRelativeURL: `/openapi/v3/${prefix}?hash=${Buffer.from(prefix).toString('hex').slice(0, 16).toUpperCase()}` };
  }
  return { paths };
}

const param = (name: string, type = 'string'): Obj => ({ name, in: 'query', schema: { type, uniqueItems: true } });
const pathParam = (name: string): Obj => ({ name, in: 'path', required: true, schema: { type: 'string', uniqueItems: true } });

export function openApiV3GroupVersion(registry: Registry, group: string, version: string): Obj | undefined {
  const infos = registry.all().filter((i) => i.group === group && i.version === version);
  if (infos.length === 0) return undefined;
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const paths: Obj = {};
  for (const info of infos) {
    const gvk = { group, version, kind: info.kind };
    const base = info.namespaced ? `${prefix}/namespaces/{namespace}/${info.plural}` : `${prefix}/${info.plural}`;
    const writeParams = [param('dryRun'), param('fieldManager'), param('fieldValidation')];
    paths[`${base}/{name}`] = {
      parameters: [pathParam('name'), ...(info.namespaced ? [pathParam('namespace')] : []), param('pretty')],
      get: {
        operationId: `read${info.kind}`,
        'x-kubernetes-action': 'get',
        'x-kubernetes-group-version-kind': gvk,
        responses: { '200': { description: 'OK' } },
      },
      put: {
        operationId: `replace${info.kind}`,
        'x-kubernetes-action': 'put',
        'x-kubernetes-group-version-kind': gvk,
        parameters: writeParams,
        responses: { '200': { description: 'OK' } },
      },
      patch: {
        operationId: `patch${info.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: [...writeParams, param('force', 'boolean')],
        responses: { '200': { description: 'OK' } },
      },
      delete: {
        operationId: `delete${info.kind}`,
        'x-kubernetes-action': 'delete',
        'x-kubernetes-group-version-kind': gvk,
        responses: { '200': { description: 'OK' } },
      },
    };
    paths[base] = {
      parameters: [...(info.namespaced ? [pathParam('namespace')] : []), param('pretty')],
      get: {
        operationId: `list${info.kind}`,
        'x-kubernetes-action': 'list',
        'x-kubernetes-group-version-kind': gvk,
        responses: { '200': { description: 'OK' } },
      },
      post: {
        operationId: `create${info.kind}`,
        'x-kubernetes-action': 'post',
        'x-kubernetes-group-version-kind': gvk,
        parameters: writeParams,
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes (kube-sim)', version: 'v1.32.5+k3s1' }, paths, components: { schemas: {} } };
}
