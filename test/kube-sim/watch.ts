// Watch streaming (adapter): JSON lines over a chunked HTTP response, resumed from the store's
// bounded history, with bookmarks, a server-side timeout, selector transitions (an object that
// stops matching is sent as DELETED), Table rows for `kubectl get --watch`, and a bound on
// buffered output (a consumer that stops reading is cut off).
import type { ServerResponse } from 'node:http';
import type { Api } from './api.ts';
import { storageKey, type ResourceInfo } from './resources.ts';
import { checkFieldSelector, fieldsOf, matches, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { StoreEvent } from './store.ts';
import { toTable } from './tables.ts';
import { badRequest, clone, type KObject, type Obj } from './types.ts';

export interface WatchParams {
  namespace: string | undefined;
  labelSelector: string | null;
  fieldSelector: string | null;
  resourceVersion: string | null;
  timeoutSeconds: number;
  bookmarks: boolean;
  bookmarkMs: number;
  table: boolean;
  includeObject: string | undefined;
  maxBufferedBytes: number;
}

export function serveWatch(api: Api, info: ResourceInfo, params: WatchParams, res: ServerResponse, track: (stop: () => void) => () => void): void {
  const key = storageKey(info);
  const labels = parseLabelSelector(params.labelSelector);
  const fields = parseFieldSelector(params.fieldSelector);
  checkFieldSelector(info.kind, fields, { metadata: {} });
  if (params.resourceVersion && !/^\d+$/.test(params.resourceVersion)) throw badRequest(`invalid resourceVersion: ${params.resourceVersion}`);
  const selected = (obj: KObject | undefined): boolean =>
    !!obj &&
    (!info.namespaced || params.namespace === undefined || obj.metadata.namespace === params.namespace) &&
    matches(labels, obj.metadata.labels ?? {}) &&
    matches(fields, fieldsOf(info.kind, obj));

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  // Clients (client-node's fetch) wait for the headers before they consider the watch open.
  res.flushHeaders();
  let headerSent = false;
  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = (): void => {};
  let untrack = (): void => {};
  const stop = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    untrack();
    for (const t of timers) clearTimeout(t);
    res.end();
  };
  const remove = track(stop);
  untrack = (): void => void remove();
  res.on('close', stop);

  const send = (type: string, object: Obj): void => {
    if (closed) return;
    let payload = object;
    if (params.table && type !== 'ERROR' && type !== 'BOOKMARK') {
      payload = toTable(info, [object as KObject], api.store.now().getTime(), {
        includeObject: params.includeObject,
        resourceVersion: object.metadata?.resourceVersion,
        noHeaders: headerSent,
      });
      headerSent = true;
    }
    res.write(JSON.stringify({ type, object: payload }) + '\n');
    if (res.writableLength > params.maxBufferedBytes) stop();
  };
  const out = (obj: KObject): KObject => {
    const copy = clone(obj);
    copy.apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
    copy.kind = info.kind;
    return copy;
  };
  const deliver = (event: StoreEvent): void => {
    if (event.key !== key) return;
    const now = selected(event.object);
    const before = event.prev ? selected(event.prev) : false;
    if (event.type === 'ADDED') {
      if (now) send('ADDED', out(event.object));
    } else if (event.type === 'MODIFIED') {
      if (now && before) send('MODIFIED', out(event.object));
      else if (now) send('ADDED', out(event.object));
      else if (before) send('DELETED', out(event.object));
    } else if (before || now) send('DELETED', out(event.object));
  };

  const rv = params.resourceVersion;
  let lastSent = api.store.resourceVersion;
  const live: StoreEvent[] = [];
  let replaying = true;
  unsubscribe = api.store.subscribe((event) => {
    if (replaying) live.push(event);
    else if (event.rv > lastSent) deliver(event);
  });
  if (!rv || rv === '0') {
    for (const obj of api.store.list(key, info.namespaced ? params.namespace : undefined, true)) if (selected(obj)) send('ADDED', out(obj));
  } else {
    const start = Number(rv);
    const history = Number.isFinite(start) ? api.store.since(key, start) : undefined;
    if (!history) {
      send('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${rv} (${api.store.oldestResumable})`,
        reason: 'Expired',
        code: 410,
      });
      stop();
      return;
    }
    for (const event of history) if (event.rv <= lastSent) deliver(event);
  }
  replaying = false;
  for (const event of live) if (event.rv > lastSent) deliver(event);
  lastSent = 0;

  const bookmark = (): void => {
    send('BOOKMARK', {
      kind: info.kind,
      apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
      metadata: { resourceVersion: String(api.store.resourceVersion) },
    });
  };
  if (params.bookmarks) {
    const tick = (): void => {
      bookmark();
      timers[0] = setTimeout(tick, params.bookmarkMs);
    };
    timers[0] = setTimeout(tick, params.bookmarkMs);
  }
  timers.push(
    setTimeout(() => {
      if (params.bookmarks) bookmark();
      stop();
    }, params.timeoutSeconds * 1000),
  );
}
