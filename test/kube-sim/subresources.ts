// Small request helpers of the HTTP adapter (pure): the scale subresource and log `sinceTime`.
import { badRequest, type KObject, type Obj } from './types.ts';

/** `sinceTime` (RFC 3339) as seconds before now; invalid times are a 400. */
export function sinceTime(value: string | null): number | null {
  if (!value) return null;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw badRequest(`invalid sinceTime: ${value}`);
  return Math.max(0, (Date.now() - t) / 1000);
}

export function scaleOf(obj: KObject): Obj {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: {
      replicas: obj.status?.replicas ?? 0,
      selector: Object.entries(obj.spec?.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

export function withScale(obj: KObject, scale: Obj): KObject {
  return {
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: scale?.metadata?.resourceVersion ?? obj.metadata.resourceVersion },
    spec: { ...obj.spec, replicas: Number(scale?.spec?.replicas ?? 0) },
  };
}

export function patchScaleBody(patch: Obj): Obj {
  return { spec: { replicas: patch?.spec?.replicas } };
}
