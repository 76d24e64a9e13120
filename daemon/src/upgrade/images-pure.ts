// Image references in manifests (pure): where pod specs live in each workload kind, how containerd
// and the kubelet normalise a reference, and which containers would need a registry the device
// cannot reach. Every finding names the object and the container.
import type { PlanProblem } from '../protocol/upgrade.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `nginx` → `docker.io/library/nginx:latest`, `reg.local:5000/a/b` → `reg.local:5000/a/b:latest`, digests kept. */
export function normalizeReference(ref: string): string {
  const [namePart, digest] = ref.split('@', 2) as [string, string | undefined];
  const segments = namePart.split('/');
  const first = segments[0] ?? '';
  const hasDomain = segments.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let name = hasDomain ? namePart : segments.length === 1 ? `docker.io/library/${namePart}` : `docker.io/${namePart}`;
  const last = name.split('/').pop() ?? '';
  if (!digest && !last.includes(':')) name = `${name}:latest`;
  return digest ? `${name}@${digest}` : name;
}

/** The tag a reference carries, or null (untagged, or pinned by digest only). */
export function tagOf(ref: string): string | null {
  const namePart = ref.split('@', 1)[0] ?? '';
  const last = namePart.split('/').pop() ?? '';
  const colon = last.indexOf(':');
  return colon === -1 ? null : last.slice(colon + 1);
}

/** The pod spec inside a workload object, wherever its kind keeps it. */
export function podSpecOf(o: Json): Json | null {
  const kind = o.kind;
  const spec = o.spec;
  if (!isObject(spec)) return null;
  if (kind === 'Pod') return spec;
  if (kind === 'CronJob') {
    const template = (spec.jobTemplate as Json | undefined)?.spec as Json | undefined;
    const podSpec = (template?.template as Json | undefined)?.spec;
    return isObject(podSpec) ? podSpec : null;
  }
  const podSpec = (spec.template as Json | undefined)?.spec;
  return isObject(podSpec) && Array.isArray(podSpec.containers) ? podSpec : null;
}

export interface ContainerImage {
  container: string;
  image: string;
  pullPolicy: string | null;
  init: boolean;
}

export function containerImages(o: Json): ContainerImage[] {
  const spec = podSpecOf(o);
  if (!spec) return [];
  const out: ContainerImage[] = [];
  for (const [field, init] of [
    ['initContainers', true],
    ['containers', false],
  ] as const) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!isObject(c)) continue;
      out.push({ container: String(c.name ?? '?'), image: typeof c.image === 'string' ? c.image : '', pullPolicy: typeof c.imagePullPolicy === 'string' ? c.imagePullPolicy : null, init });
    }
  }
  return out;
}

/** The kubelet's default: Always for `:latest` or no tag (unless pinned by digest), else IfNotPresent. */
export function effectivePullPolicy(image: string, explicit: string | null): string {
  if (explicit) return explicit;
  if (image.includes('@sha256:')) return 'IfNotPresent';
  const tag = tagOf(image);
  return tag === null || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

export interface ImageCheckObject {
  /** `Kind namespace/name` */
  label: string;
  body: Json;
}

/**
 * Every container must run without a registry: its image in the bundle or on the node, and a pull
 * policy that never asks a registry. `available` answers for a normalised reference.
 */
export function imageProblems(objects: readonly ImageCheckObject[], available: (normalized: string) => boolean): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const o of objects) {
    for (const c of containerImages(o.body)) {
      const where = `container ${c.container}`;
      if (c.image === '') {
        problems.push({ code: 'image_missing', message: `${o.label}: ${where} names no image`, object: o.label, blocking: true });
        continue;
      }
      const policy = effectivePullPolicy(c.image, c.pullPolicy);
      if (policy === 'Always') {
        const why = c.pullPolicy === 'Always' ? 'imagePullPolicy: Always' : `${tagOf(c.image) === null ? 'no tag' : 'the :latest tag'} (which defaults to imagePullPolicy: Always)`;
        problems.push({ code: 'image_needs_registry', message: `${o.label}: ${where} would pull ${c.image} from a registry: ${why}; set imagePullPolicy: IfNotPresent and a fixed tag`, object: o.label, blocking: true });
      }
      if (!available(normalizeReference(c.image))) {
        problems.push({ code: 'image_missing', message: `${o.label}: ${where} needs ${c.image}, which is neither in the bundle nor on the node`, object: o.label, blocking: true });
      }
    }
  }
  return problems;
}
