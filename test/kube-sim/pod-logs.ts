// pods/log (adapter): answers from the kubelet's container instances; `follow` streams new lines
// as they are due and ends when the instance stops or the pod goes away.
import type { ServerResponse } from 'node:http';
import type { Api } from './api.ts';
import type { Kubelet } from './kubelet.ts';
import { instanceLines, logStamp, selectLines, type LogLine } from './logs.ts';
import type { LogRequest, Track } from './server.ts';
import { badRequest, type Obj } from './types.ts';

export interface LogOptions {
  intervalMs: number;
  maxLines: number;
}

export function makeLogHandler(api: Api, kubelet: Kubelet, options: LogOptions) {
  return (request: LogRequest, res: ServerResponse, track: Track): void => {
    const podInfo = api.info('v1', 'Pod');
    const pod = api.get(podInfo, request.namespace, request.name);
    const containers: Obj[] = pod.spec?.containers ?? [];
    let container = request.container ?? undefined;
    if (!container) {
      const preferred = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
      if (containers.length === 1) container = containers[0]?.name;
      else if (preferred) container = preferred;
      else throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`);
    }
    if (!containers.some((c) => c.name === container)) throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
    const name = String(container);
    const runtime = kubelet.instances(pod.metadata.uid, name);
    const instances = runtime?.instances ?? [];
    const image = runtime?.image ?? String(containers.find((c) => c.name === name)?.image ?? '');
    const current = request.previous ? instances[instances.length - 2] : instances[instances.length - 1];
    if (!current) {
      if (request.previous) throw badRequest(`previous terminated container "${name}" in pod "${pod.metadata.name}" not found`);
      const reason =
        runtime?.reason === 'ErrImagePull' || runtime?.reason === 'ImagePullBackOff' || runtime?.reason === 'ErrImageNeverPull'
          ? 'trying and failing to pull image'
          : (runtime?.reason ?? 'ContainerCreating');
      throw badRequest(`container "${name}" in pod "${pod.metadata.name}" is waiting to start: ${reason}`);
    }
    const now = Date.now();
    const format = (l: LogLine): string => (request.timestamps ? `${logStamp(l.time)} ${l.text}\n` : `${l.text}\n`);
    const initial = selectLines(instanceLines(pod.metadata.name, name, image, current, now, options.intervalMs, options.maxLines), {
      tailLines: request.tailLines,
      sinceSeconds: request.sinceSeconds,
      now,
    });
    let body = initial.map(format).join('');
    if (request.limitBytes !== null && request.limitBytes >= 0) body = body.slice(0, request.limitBytes);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    if (!request.follow) {
      res.end(body);
      return;
    }
    res.flushHeaders();
    if (body) res.write(body);
    let sentUntil = now;
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    let untrack = (): void => {};
    const stop = (): void => {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      untrack();
      res.end();
    };
    const remove = track(stop);
    untrack = (): void => void remove();
    res.on('close', stop);
    const step = (): void => {
      const t = Date.now();
      const fresh = instanceLines(pod.metadata.name, name, image, current, t, options.intervalMs, options.maxLines).filter(
        (l) => l.time > sentUntil && l.time <= t,
      );
      for (const l of fresh) res.write(format(l));
      sentUntil = t;
      const still = api.find(podInfo, request.namespace, request.name);
      if (!still || still.metadata.uid !== pod.metadata.uid || current.end !== undefined) return stop();
      if (res.writableLength > 4 * 1024 * 1024) return stop();
      timer = setTimeout(step, Math.min(options.intervalMs, 250));
    };
    timer = setTimeout(step, Math.min(options.intervalMs, 250));
  };
}
