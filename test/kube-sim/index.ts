// Front door: startKubeSim() runs the simulated single-node API server on loopback.
//   const sim = await startKubeSim({ port: 0, fixturesDir, timing: { readyAfterMs: 100 } });
//   await sim.writeKubeconfig(file);                                   // admin (system:masters)
//   await sim.writeKubeconfig(webFile, { serviceAccount: 'outpost-system/outpost-web' });  // RBAC applies
//   ...; await sim.restart(); ...; await sim.stop();
import { writeFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ADMIN_TOKEN, type MintOptions } from './auth.ts';
import { Cluster, type ClusterOptions } from './cluster.ts';
import { readFixtureDir, loadObjects } from './fixtures.ts';
import { watchImageSources } from './images-adapter.ts';
import { makeLogHandler } from './pod-logs.ts';
import { createSimServer } from './server.ts';
import { selfSignedCert } from './tls-adapter.ts';

export { Cluster, DEFAULT_TIMING } from './cluster.ts';
export { ADMIN_TOKEN } from './auth.ts';
export { HELM_FAIL_ANNOTATION, HELM_JOB_IMAGE } from './helm.ts';
export type { ClusterOptions } from './cluster.ts';
export { ANNOTATION as BEHAVIOR_ANNOTATION, READY_AFTER as READY_AFTER_ANNOTATION, RUN_MS as RUN_MS_ANNOTATION } from './behavior.ts';

export interface KubeSimOptions extends ClusterOptions {
  port?: number;
  host?: string;
  /** YAML folder(s) loaded at start, in order (e.g. the demo, then scripts/k8s). */
  fixturesDir?: string | string[];
  /** Image references present on the node (with imagesFile/containerdSocket: added to them). */
  images?: string[];
  imagesFile?: string;
  containerdSocket?: string;
  imagePollMs?: number;
  bookmarkMs?: number;
  maxWatchSeconds?: number;
  logIntervalMs?: number;
  logMaxLines?: number;
  /** Start the controller loop (default true). */
  run?: boolean;
  /** Log every finished request (method, path, status, duration). */
  logRequests?: (line: string) => void;
  /**
   * HTTPS for the admin URL and kubeconfig (the CA goes into it). Every port serves both HTTP and
   * HTTPS anyway (ServiceAccount kubeconfigs are https://); without a certificate here a
   * throwaway one is made with openssl.
   */
  tls?: boolean | { cert: string; key: string };
}

/** Whose credentials a kubeconfig carries: the admin by default, or a ServiceAccount's minted token. */
export interface KubeconfigOptions extends MintOptions {
  /** `namespace/name` of a ServiceAccount that must exist; its token is subject to RBAC. */
  serviceAccount?: string;
}

export interface KubeSim {
  readonly url: string;
  readonly port: number;
  readonly cluster: Cluster;
  kubeconfig(options?: KubeconfigOptions): string;
  writeKubeconfig(file: string, options?: KubeconfigOptions): Promise<string>;
  /** A bearer token for ServiceAccount `namespace/name` (TokenRequest semantics, default 1 h). */
  token(serviceAccount: string, options?: MintOptions): string;
  /** Stops the HTTP server (cutting every watch and log stream), keeps the cluster state. */
  stopServer(): Promise<void>;
  /** Open watch and log-follow streams (tests wait on this). */
  activeStreams(): number;
  /** Starts the HTTP server again on the same port. */
  startServer(): Promise<void>;
  /** stopServer, optional pause and history loss (a real apiserver restart), startServer. */
  restart(options?: { downMs?: number; dropHistory?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startKubeSim(options: KubeSimOptions = {}): Promise<KubeSim> {
  const host = options.host ?? '127.0.0.1';
  const imagesKnown = options.images !== undefined || options.imagesFile !== undefined || options.containerdSocket !== undefined;
  const cluster = new Cluster({ ...options, imagesKnown });
  if (options.images) cluster.images.setSource('option', options.images);
  const stopImages = await watchImageSources(cluster.images, {
    imagesFile: options.imagesFile,
    containerdSocket: options.containerdSocket,
    pollMs: options.imagePollMs ?? 2000,
  });
  try {
    const dirs = options.fixturesDir === undefined ? [] : Array.isArray(options.fixturesDir) ? options.fixturesDir : [options.fixturesDir];
    for (const dir of dirs) loadObjects(cluster.api, await readFixtureDir(dir));
  } catch (error) {
    stopImages();
    throw error;
  }
  const logs = makeLogHandler(cluster.api, cluster.kubelet, { intervalMs: options.logIntervalMs ?? 1000, maxLines: options.logMaxLines ?? 5000 });
  const secure = options.tls !== undefined && options.tls !== false;
  let tls: { cert: string; key: string };
  try {
    tls = options.tls && options.tls !== true ? options.tls : await selfSignedCert();
  } catch (error) {
    stopImages();
    throw error;
  }
  cluster.caCert = tls.cert;
  const serverOptions = {
    api: cluster.api,
    auth: cluster.auth,
    logs,
    tls,
    bookmarkMs: options.bookmarkMs ?? 30_000,
    maxWatchSeconds: options.maxWatchSeconds ?? 1800,
    ...(options.logRequests ? { log: options.logRequests } : {}),
  };
  let current = createSimServer(serverOptions);
  let port: number;
  try {
    port = await listen(current.server, options.port ?? 0, host);
  } catch (error) {
    stopImages();
    throw error;
  }
  let running = true;
  if (options.run !== false) cluster.start();
  const url = (https = secure): string => `${https ? 'https' : 'http'}://${host}:${port}`;

  const stopServer = async (): Promise<void> => {
    if (!running) return;
    running = false;
    const closed = new Promise<void>((resolve) => current.server.close(() => resolve()));
    current.closeStreams();
    await closed;
  };
  const startServer = async (): Promise<void> => {
    if (running) return;
    current = createSimServer(serverOptions);
    port = await listen(current.server, port, host);
    running = true;
  };
  const token = (serviceAccount: string, mint?: MintOptions): string => {
    const [ns = '', name = ''] = serviceAccount.split('/');
    if (!ns || !name) throw new Error(`serviceAccount must be "namespace/name", got "${serviceAccount}"`);
    return cluster.token(ns, name, mint);
  };
  const kubeconfig = (opts: KubeconfigOptions = {}): string => {
    const { serviceAccount, ...mint } = opts;
    const user = serviceAccount ? serviceAccount.replace('/', '-') : 'kube-sim';
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: kube-sim',
      '  cluster:',
      `    server: ${url(secure || serviceAccount !== undefined)}`,
      secure || serviceAccount ? `    certificate-authority-data: ${Buffer.from(tls.cert).toString('base64')}` : '    insecure-skip-tls-verify: true',
      'users:',
      `- name: ${user}`,
      '  user:',
      `    token: ${serviceAccount ? token(serviceAccount, mint) : ADMIN_TOKEN}`,
      'contexts:',
      '- name: kube-sim',
      '  context:',
      '    cluster: kube-sim',
      `    user: ${user}`,
      `    namespace: ${serviceAccount ? serviceAccount.split('/')[0] : 'default'}`,
      'current-context: kube-sim',
      '',
    ].join('\n');
  };

  return {
    get url() {
      return url();
    },
    get port() {
      return port;
    },
    cluster,
    kubeconfig,
    token,
    async writeKubeconfig(file: string, opts?: KubeconfigOptions) {
      await writeFile(file, kubeconfig(opts), { mode: 0o600 });
      return file;
    },
    stopServer,
    startServer,
    activeStreams: () => (running ? current.activeStreams() : 0),
    async restart(opts = {}) {
      await stopServer();
      if (opts.dropHistory) cluster.store.dropHistory();
      if (opts.downMs) await new Promise((r) => setTimeout(r, opts.downMs));
      await startServer();
    },
    async stop() {
      cluster.stop();
      stopImages();
      await stopServer();
    },
  };
}
