// The simulated cluster without HTTP: store, API semantics, image store, events, the kubelet and
// the controllers, advanced by `tick()` (a timer calls it every `tickMs` once started).
import { Api } from './api.ts';
import type { Kit } from './controller-kit.ts';
import { syncDeployments, syncReplicaSets } from './deployments.ts';
import { EventRecorder } from './events.ts';
import { loadObjects, parseManifests } from './fixtures.ts';
import { ImageStore } from './images.ts';
import { Kubelet, type KubeletTiming } from './kubelet.ts';
import { Registry, storageKey } from './resources.ts';
import { Store } from './store.ts';
import { KUBE_VERSION } from './discovery.ts';
import type { KObject, Obj } from './types.ts';
import { syncDaemonSets, syncJobs, syncStatefulSets } from './workloads.ts';

export interface ClusterOptions {
  tickMs?: number;
  nodeName?: string;
  /** With no image source, every image is present. */
  imagesKnown?: boolean;
  historySize?: number;
  maxEvents?: number;
  timing?: Partial<KubeletTiming>;
}

export const DEFAULT_TIMING: KubeletTiming = { readyAfterMs: 1000, runMs: 3000, backoffBaseMs: 10_000, backoffMaxMs: 300_000, terminationMs: 1000 };

export class Cluster {
  readonly store: Store;
  readonly registry: Registry;
  readonly api: Api;
  readonly images: ImageStore;
  readonly events: EventRecorder;
  readonly kubelet: Kubelet;
  readonly nodeName: string;
  readonly tickMs: number;
  #timer: NodeJS.Timeout | undefined;
  #leaseRenewed = 0;
  #kit: Kit;
  #churns = new Set<() => void>();

  constructor(options: ClusterOptions = {}) {
    this.store = new Store({ historySize: options.historySize ?? 5000 });
    this.registry = new Registry();
    this.api = new Api(this.store, this.registry);
    this.images = new ImageStore(!options.imagesKnown);
    this.events = new EventRecorder(this.api, options.maxEvents ?? 2000);
    this.nodeName = options.nodeName ?? 'edge-node-1';
    this.tickMs = options.tickMs ?? 250;
    this.kubelet = new Kubelet(this.api, this.events, this.images, { ...DEFAULT_TIMING, ...options.timing }, this.nodeName);
    this.#kit = { api: this.api, events: this.events, now: () => this.store.now().getTime(), info: (v, k) => this.api.info(v, k) };
    this.#bootstrap();
  }

  #bootstrap(): void {
    const ns = this.api.info('v1', 'Namespace');
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) this.api.create(ns, undefined, { metadata: { name } });
    this.api.create(this.api.info('v1', 'Node'), undefined, nodeObject(this.nodeName));
    const node = this.api.find(this.api.info('v1', 'Node'), undefined, this.nodeName);
    if (node) this.api.writeStatus(this.api.info('v1', 'Node'), node, nodeStatus(this.store.now()));
    this.api.create(this.api.info('v1', 'Service'), 'default', { metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } }, spec: { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } });
    loadObjects(this.api, parseManifests(HELM_CRD, 'builtin'), 'k3s');
    this.#namespaces();
  }

  /** Each namespace gets its `default` ServiceAccount (as the service account controller does). */
  #namespaces(): void {
    const sa = this.api.info('v1', 'ServiceAccount');
    for (const ns of this.store.list(storageKey(this.api.info('v1', 'Namespace')), undefined, true)) {
      if (ns.metadata.deletionTimestamp || this.api.find(sa, ns.metadata.name, 'default')) continue;
      this.api.create(sa, ns.metadata.name, { metadata: { name: 'default', namespace: ns.metadata.name } });
    }
  }

  /** One pass of every controller and the kubelet. */
  tick(): void {
    const now = this.store.now().getTime();
    this.#namespaces();
    syncDeployments(this.#kit);
    syncReplicaSets(this.#kit);
    syncStatefulSets(this.#kit);
    syncDaemonSets(this.#kit);
    syncJobs(this.#kit);
    this.kubelet.tick(now);
    syncReplicaSets(this.#kit);
    if (now - this.#leaseRenewed >= 10_000) this.#renewLease(now);
    this.events.trim();
  }

  /** The node's heartbeat Lease in kube-node-lease, renewed every 10 s like the kubelet's. */
  #renewLease(now: number): void {
    this.#leaseRenewed = now;
    const info = this.api.info('coordination.k8s.io/v1', 'Lease');
    const renewTime = new Date(now).toISOString().replace('Z', '000Z');
    const current = this.api.find(info, 'kube-node-lease', this.nodeName);
    if (!current) {
      const node = this.api.find(this.api.info('v1', 'Node'), undefined, this.nodeName);
      const ownerReferences = node ? [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: node.metadata.uid }] : [];
      this.api.create(info, 'kube-node-lease', { metadata: { name: this.nodeName, namespace: 'kube-node-lease', ownerReferences }, spec: { holderIdentity: this.nodeName, leaseDurationSeconds: 40, renewTime } });
    } else this.api.writeObject(info, { ...current, spec: { ...current.spec, renewTime } });
  }

  start(): void {
    if (this.#timer) return;
    const loop = (): void => {
      try {
        this.tick();
      } catch (error) {
        console.error('kube-sim: controller tick failed', error);
      }
      this.#timer = setTimeout(loop, this.tickMs);
    };
    this.#timer = setTimeout(loop, 0);
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const stop of this.#churns) stop();
  }

  /** Creates the objects of a YAML (multi-document) text or object list; returns how many. */
  load(input: string | KObject[]): number {
    return loadObjects(this.api, typeof input === 'string' ? parseManifests(input, 'load') : input);
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KObject | undefined {
    const info = this.api.info(apiVersion, kind);
    return this.api.find(info, namespace, name);
  }

  list(apiVersion: string, kind: string, namespace?: string): KObject[] {
    return this.store.list(storageKey(this.api.info(apiVersion, kind)), namespace);
  }

  /**
   * Bench helper: creates `pods` bare pods in `namespace` and records `eventsPerSecond` events
   * spread over them. Returns the stop function (which leaves the pods in place).
   */
  churn(options: { pods: number; eventsPerSecond: number; namespace?: string; image?: string }): () => void {
    const ns = options.namespace ?? 'churn';
    const nsInfo = this.api.info('v1', 'Namespace');
    if (!this.api.find(nsInfo, undefined, ns)) this.api.create(nsInfo, undefined, { metadata: { name: ns } });
    const podInfo = this.api.info('v1', 'Pod');
    const image = options.image ?? 'registry.local/churn:1';
    this.images.add(image, 'churn');
    const names: string[] = [];
    for (let i = 0; i < options.pods; i++) {
      const name = `churn-${i}`;
      names.push(name);
      if (!this.api.find(podInfo, ns, name)) this.api.create(podInfo, ns, { metadata: { name, namespace: ns, labels: { app: 'churn' } }, spec: { containers: [{ name: 'app', image }] } });
    }
    let n = 0;
    const period = options.eventsPerSecond > 0 ? Math.max(1, Math.round(1000 / options.eventsPerSecond)) : 0;
    const timer = period ? setInterval(() => {
      const pod = this.api.find(podInfo, ns, names[n % names.length] ?? '');
      n++;
      if (pod) this.events.record({ ...pod, apiVersion: 'v1', kind: 'Pod' }, n % 7 === 0 ? 'Warning' : 'Normal', n % 7 === 0 ? 'Unhealthy' : 'Heartbeat', `churn event ${n}`, { component: 'kube-sim-churn' });
    }, period) : undefined;
    const stop = (): void => {
      if (timer) clearInterval(timer);
      this.#churns.delete(stop);
    };
    this.#churns.add(stop);
    return stop;
  }
}

function nodeObject(name: string): Obj {
  return {
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true', 'node.kubernetes.io/instance-type': 'k3s' },
      annotations: { 'k3s.io/hostname': name, 'k3s.io/internal-ip': '10.0.0.10' },
    },
    spec: { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'], providerID: `k3s://${name}` },
  };
}

function nodeStatus(now: Date): Obj {
  const t = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const c = (type: string, status: string, reason: string, message: string): Obj => ({ type, status, lastHeartbeatTime: t, lastTransitionTime: t, reason, message });
  const resources = { cpu: '4', memory: '8029028Ki', pods: '110', 'ephemeral-storage': '61255492Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' };
  return {
    capacity: resources,
    allocatable: { ...resources, 'ephemeral-storage': '59589342166' },
    conditions: [
      c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [{ type: 'InternalIP', address: '10.0.0.10' }, { type: 'Hostname', address: 'edge-node-1' }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: { machineID: 'b2c4a7e0c3d94a0f8e1f0f5e4d3c2b1a', systemUUID: 'b2c4a7e0-c3d9-4a0f-8e1f-0f5e4d3c2b1a', bootID: '5a0f2e1c-7b7d-4f43-9f0e-2f3c4b5a6d7e', kernelVersion: '6.1.0-28-amd64', osImage: 'Debian GNU/Linux 12 (bookworm)', containerRuntimeVersion: 'containerd://1.7.27-k3s1', kubeletVersion: KUBE_VERSION.gitVersion, kubeProxyVersion: KUBE_VERSION.gitVersion, operatingSystem: 'linux', architecture: 'amd64' },
    images: [],
  };
}

const HELM_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: helmcharts.helm.cattle.io
spec:
  group: helm.cattle.io
  names: {kind: HelmChart, plural: helmcharts, singular: helmchart, listKind: HelmChartList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      subresources: {status: {}}
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
      additionalPrinterColumns:
        - {name: Job, type: string, jsonPath: .status.jobName}
        - {name: Chart, type: string, jsonPath: .spec.chart}
        - {name: TargetNamespace, type: string, jsonPath: .spec.targetNamespace}
        - {name: Version, type: string, jsonPath: .spec.version}
        - {name: Repo, type: string, jsonPath: .spec.repo}
        - {name: HelmVersion, type: string, jsonPath: .spec.helmVersion}
        - {name: Bootstrap, type: string, jsonPath: .spec.bootstrap}
`;
