// The simulated cluster without HTTP: store, API semantics, authentication, image store,
// events, the kubelet and the controllers, advanced by `tick()` (a timer calls it every
// `tickMs` once started).
import { Api } from './api.ts';
import { Authenticator, type MintOptions } from './auth.ts';
import { bootstrapCluster } from './bootstrap.ts';
import type { Kit } from './controller-kit.ts';
import { syncCronJobs } from './cronjobs.ts';
import { syncCrds } from './crds.ts';
import { syncDeployments, syncReplicaSets } from './deployments.ts';
import { EventRecorder } from './events.ts';
import { loadObjects, parseManifests } from './fixtures.ts';
import { HELM_JOB_IMAGE, syncHelmCharts } from './helm.ts';
import { ImageStore } from './images.ts';
import { Kubelet, type KubeletTiming } from './kubelet.ts';
import { aggregateClusterRoles } from './rbac-store.ts';
import { Registry, storageKey } from './resources.ts';
import { syncServiceAccounts } from './service-accounts.ts';
import { Store } from './store.ts';
import { syncTermination } from './termination.ts';
import { syncVolumes } from './volumes.ts';
import type { KObject } from './types.ts';
import { syncDaemonSets, syncJobs, syncStatefulSets } from './workloads.ts';

export interface ClusterOptions {
  tickMs?: number;
  nodeName?: string;
  /** With no image source, every image is present. */
  imagesKnown?: boolean;
  historySize?: number;
  maxEvents?: number;
  timing?: Partial<KubeletTiming>;
  /** How long a new CRD takes to become Established (default 200 ms; fixtures are at once). */
  crdEstablishMs?: number;
  /** The cluster's clock (tests of CronJob schedules); default the real time. */
  now?: () => Date;
}

export const DEFAULT_TIMING: KubeletTiming = { readyAfterMs: 1000, runMs: 3000, backoffBaseMs: 10_000, backoffMaxMs: 300_000, terminationMs: 1000 };

export class Cluster {
  readonly store: Store;
  readonly registry: Registry;
  readonly api: Api;
  readonly auth: Authenticator;
  readonly images: ImageStore;
  readonly events: EventRecorder;
  readonly kubelet: Kubelet;
  readonly nodeName: string;
  readonly tickMs: number;
  #timer: NodeJS.Timeout | undefined;
  #leaseRenewed = 0;
  #kit: Kit;
  #churns = new Set<() => void>();
  #crdEstablishMs: number;
  /** PEM of the serving CA, put into legacy token Secrets as `ca.crt`. */
  caCert: string | undefined;

  constructor(options: ClusterOptions = {}) {
    this.store = new Store({ historySize: options.historySize ?? 5000, ...(options.now ? { now: options.now } : {}) });
    this.registry = new Registry();
    this.api = new Api(this.store, this.registry);
    this.auth = new Authenticator(this.api);
    this.images = new ImageStore(!options.imagesKnown);
    // k3s ships its helm-install image with the air-gap images: it is always on the node.
    this.images.add(HELM_JOB_IMAGE, 'k3s');
    this.#crdEstablishMs = options.crdEstablishMs ?? 200;
    this.events = new EventRecorder(this.api, options.maxEvents ?? 2000);
    this.nodeName = options.nodeName ?? 'edge-node-1';
    this.tickMs = options.tickMs ?? 250;
    this.kubelet = new Kubelet(this.api, this.events, this.images, { ...DEFAULT_TIMING, ...options.timing }, this.nodeName);
    this.#kit = { api: this.api, events: this.events, now: () => this.store.now().getTime(), info: (v, k) => this.api.info(v, k) };
    this.#bootstrap();
  }

  #bootstrap(): void {
    bootstrapCluster(this.api, this.nodeName);
    syncServiceAccounts(this.#kit, this.auth, this.caCert);
  }

  /** One pass of every controller and the kubelet. */
  tick(): void {
    const now = this.store.now().getTime();
    syncServiceAccounts(this.#kit, this.auth, this.caCert);
    syncCrds(this.#kit, this.#crdEstablishMs);
    aggregateClusterRoles(this.api);
    syncTermination(this.#kit);
    syncHelmCharts(this.#kit);
    syncCronJobs(this.#kit);
    syncVolumes(this.#kit, this.nodeName);
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
      this.api.create(info, 'kube-node-lease', {
        metadata: { name: this.nodeName, namespace: 'kube-node-lease', ownerReferences },
        spec: { holderIdentity: this.nodeName, leaseDurationSeconds: 40, renewTime },
      });
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

  /** A bearer token for ServiceAccount namespace/name, as TokenRequest mints it (default 1 h). */
  token(namespace: string, name: string, options?: MintOptions): string {
    return this.auth.mint(namespace, name, options).token;
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
      if (!this.api.find(podInfo, ns, name))
        this.api.create(podInfo, ns, { metadata: { name, namespace: ns, labels: { app: 'churn' } }, spec: { containers: [{ name: 'app', image }] } });
    }
    let n = 0;
    const period = options.eventsPerSecond > 0 ? Math.max(1, Math.round(1000 / options.eventsPerSecond)) : 0;
    const timer = period
      ? setInterval(() => {
          const pod = this.api.find(podInfo, ns, names[n % names.length] ?? '');
          n++;
          if (pod)
            this.events.record(
              { ...pod, apiVersion: 'v1', kind: 'Pod' },
              n % 7 === 0 ? 'Warning' : 'Normal',
              n % 7 === 0 ? 'Unhealthy' : 'Heartbeat',
              `churn event ${n}`,
              { component: 'kube-sim-churn' },
            );
        }, period)
      : undefined;
    const stop = (): void => {
      if (timer) clearInterval(timer);
      this.#churns.delete(stop);
    };
    this.#churns.add(stop);
    return stop;
  }
}
