// Small pieces of the HTTP adapter: JSON responses, bodies (JSON, YAML, the protobuf kubectl
// sends for a few kinds), URL → resource target, delete options and the default field manager.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { Api, DeleteOptions } from './api.ts';
import { decodeProtobuf } from './protobuf.ts';
import type { ResourceInfo } from './resources.ts';
import { ApiError, badRequest, type Obj } from './types.ts';

export const MAX_BUFFERED = 16 * 1024 * 1024;

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'the request body is too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function parseBody(body: Buffer, contentType: string): unknown {
  if (contentType.includes('protobuf')) return body.length === 0 ? undefined : decodeProtobuf(body);
  if (contentType.includes('cbor')) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (kube-sim does not decode CBOR)',
    );
  }
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return contentType.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw badRequest(`error decoding request body: ${(error as Error).message}`);
  }
}

export interface Target {
  group: string;
  version: string;
  info: ResourceInfo;
  namespace: string | undefined;
  name: string | undefined;
  sub: string | undefined;
  watchPrefix: boolean;
}

export function resolveTarget(api: Api, segments: string[]): Target | 'discovery' | undefined {
  let group = '';
  let version: string | undefined;
  let rest: string[];
  if (segments[0] === 'api') {
    version = segments[1];
    rest = segments.slice(2);
  } else {
    group = segments[1] ?? '';
    version = segments[2];
    rest = segments.slice(3);
  }
  if (!version) return undefined;
  if (rest.length === 0) return 'discovery';
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const info = api.registry.lookup(group, version, rest[2] ?? '');
    if (info?.namespaced) return { group, version, info, namespace: rest[1], name: rest[3], sub: rest[4], watchPrefix };
  }
  const info = api.registry.lookup(group, version, rest[0] ?? '');
  if (!info) return undefined;
  return { group, version, info, namespace: undefined, name: rest[1], sub: rest[2], watchPrefix };
}

export const wantsTable = (req: IncomingMessage): boolean => /as=Table/.test(String(req.headers.accept ?? ''));

export function deleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const b = (body ?? {}) as Obj;
  const grace = query.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
  const policy = query.get('propagationPolicy') ?? b.propagationPolicy ?? (b.orphanDependents === true ? 'Orphan' : undefined);
  const dryRun = query.getAll('dryRun').includes('All') || (Array.isArray(b.dryRun) && b.dryRun.includes('All'));
  return {
    ...(dryRun ? { dryRun } : {}),
    ...(grace !== undefined && grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
    ...(policy ? { propagationPolicy: policy } : {}),
    ...(b.preconditions ? { preconditions: b.preconditions } : {}),
  };
}

export function managerOf(req: IncomingMessage, query: URLSearchParams): string {
  const explicit = query.get('fieldManager');
  if (explicit) return explicit;
  const agent = String(req.headers['user-agent'] ?? 'unknown');
  return agent.split('/')[0] || 'unknown';
}
