// Where the daemon's Kubernetes credentials come from, in the order docs/cluster.md gives. Pure: it looks at an
// injected view of the environment and the file system, and names the first source that exists.

export type KubeconfigSource = 'config' | 'KUBECONFIG' | 'in-cluster' | 'k3s' | 'rke2' | 'home';

export type KubeconfigChoice = { source: Exclude<KubeconfigSource, 'in-cluster'>; path: string } | { source: 'in-cluster' };

export interface KubeconfigEnvironment {
  /** The config file's `cluster.kubeconfig` setting (`none`: no cluster, no discovery). */
  configured: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
  exists(path: string): boolean;
}

export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const K3S_KUBECONFIG = '/etc/rancher/k3s/k3s.yaml';
export const RKE2_KUBECONFIG = '/etc/rancher/rke2/rke2.yaml';

/**
 * The credentials to use, or null when there is no cluster. An explicit setting (config or
 * KUBECONFIG) wins even when its file is missing: the caller reports that instead of silently
 * falling through to another cluster.
 */
export function chooseKubeconfig(view: KubeconfigEnvironment): KubeconfigChoice | null {
  if (view.configured === 'none') return null;
  if (view.configured) return { source: 'config', path: view.configured };
  const fromEnv = view.env.KUBECONFIG?.split(':').find((p) => p !== '');
  if (fromEnv) return { source: 'KUBECONFIG', path: fromEnv };
  if (view.env.KUBERNETES_SERVICE_HOST && view.env.KUBERNETES_SERVICE_PORT && view.exists(SERVICE_ACCOUNT_TOKEN)) return { source: 'in-cluster' };
  if (view.exists(K3S_KUBECONFIG)) return { source: 'k3s', path: K3S_KUBECONFIG };
  if (view.exists(RKE2_KUBECONFIG)) return { source: 'rke2', path: RKE2_KUBECONFIG };
  const home = `${view.homeDir.replace(/\/$/, '')}/.kube/config`;
  if (view.homeDir && view.exists(home)) return { source: 'home', path: home };
  return null;
}
