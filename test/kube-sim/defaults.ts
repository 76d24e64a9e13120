// Defaulting (pure): the fields the real API server fills in on create, for the kinds whose
// defaults kubectl, controllers and the daemon read.
import { isPlainObject, type Obj } from './types.ts';

function imagePullPolicy(image: string): string {
  const last = image.split('/').pop() ?? image;
  if (image.includes('@')) return 'IfNotPresent';
  if (!last.includes(':') || last.endsWith(':latest')) return 'Always';
  return 'IfNotPresent';
}

export function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  for (const list of ['containers', 'initContainers']) {
    if (!Array.isArray(spec[list])) continue;
    for (const c of spec[list] as Obj[]) {
      c.imagePullPolicy ??= imagePullPolicy(String(c.image ?? ''));
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      c.resources ??= {};
      for (const p of c.ports ?? []) p.protocol ??= 'TCP';
    }
  }
}

function defaultTemplate(spec: Obj): void {
  spec.template ??= {};
  spec.template.metadata ??= {};
  spec.template.spec ??= { containers: [] };
  defaultPodSpec(spec.template.spec);
}

function defaultRollingUpdate(strategy: Obj | undefined, type: string): Obj {
  const out: Obj = isPlainObject(strategy) ? strategy : {};
  out.type ??= type;
  if (out.type === 'RollingUpdate') out.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...(out.rollingUpdate ?? {}) };
  return out;
}

/** Fills in defaults on a new object of `kind`, in place. */
export function applyDefaults(kind: string, obj: Obj): void {
  const hadSpec = isPlainObject(obj.spec);
  const spec: Obj = (obj.spec ??= {});
  switch (kind) {
    case 'Pod':
      defaultPodSpec(spec);
      obj.status ??= {};
      obj.status.phase ??= 'Pending';
      obj.status.qosClass ??= 'BestEffort';
      break;
    case 'Deployment':
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.strategy = defaultRollingUpdate(spec.strategy, 'RollingUpdate');
      defaultTemplate(spec);
      break;
    case 'ReplicaSet':
      spec.replicas ??= 1;
      defaultTemplate(spec);
      break;
    case 'StatefulSet':
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= 'OrderedReady';
      spec.revisionHistoryLimit ??= 10;
      spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      defaultTemplate(spec);
      break;
    case 'DaemonSet':
      spec.revisionHistoryLimit ??= 10;
      spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
      defaultTemplate(spec);
      break;
    case 'Job':
      spec.parallelism ??= 1;
      spec.completions ??= 1;
      spec.backoffLimit ??= 6;
      spec.completionMode ??= 'NonIndexed';
      spec.suspend ??= false;
      defaultTemplate(spec);
      spec.template.spec.restartPolicy = spec.template.spec.restartPolicy === 'Always' ? 'Never' : spec.template.spec.restartPolicy;
      break;
    case 'Service':
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.internalTrafficPolicy ??= 'Cluster';
      for (const p of spec.ports ?? []) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
      break;
    case 'Namespace':
      spec.finalizers ??= ['kubernetes'];
      obj.status = { phase: 'Active' };
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
      break;
    case 'Secret':
      obj.type ??= 'Opaque';
      if (isPlainObject(obj.stringData)) {
        obj.data ??= {};
        for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v)).toString('base64');
        delete obj.stringData;
      }
      delete obj.spec;
      break;
    case 'ConfigMap':
    case 'ServiceAccount':
    case 'Event':
    case 'ControllerRevision':
      delete obj.spec;
      break;
    default:
      if (!hadSpec) delete obj.spec;
  }
}

/** Kinds whose spec changes bump metadata.generation. */
export function specOf(obj: Obj): unknown {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}
