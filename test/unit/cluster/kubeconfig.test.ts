import { describe, expect, it } from 'vitest';
import { chooseKubeconfig, K3S_KUBECONFIG, RKE2_KUBECONFIG, SERVICE_ACCOUNT_TOKEN, type KubeconfigEnvironment } from '../../../daemon/src/cluster/kubeconfig.ts';

function view(files: string[], env: Record<string, string> = {}, configured?: string): KubeconfigEnvironment {
  return { configured, env, homeDir: '/home/tech', exists: (p) => files.includes(p) };
}

const everything = [SERVICE_ACCOUNT_TOKEN, K3S_KUBECONFIG, RKE2_KUBECONFIG, '/home/tech/.kube/config'];
const inCluster = { KUBERNETES_SERVICE_HOST: '10.43.0.1', KUBERNETES_SERVICE_PORT: '443' };

describe('kubeconfig discovery', () => {
  it('prefers the config file setting over everything else', () => {
    expect(chooseKubeconfig(view(everything, { KUBECONFIG: '/x', ...inCluster }, '/etc/outpost/kube.yaml'))).toEqual({ source: 'config', path: '/etc/outpost/kube.yaml' });
  });

  it('takes the first entry of KUBECONFIG next, even before in-cluster credentials', () => {
    expect(chooseKubeconfig(view(everything, { KUBECONFIG: ':/a:/b', ...inCluster }))).toEqual({ source: 'KUBECONFIG', path: '/a' });
  });

  it('uses the in-cluster service account only when its environment and token are there', () => {
    expect(chooseKubeconfig(view(everything, inCluster))).toEqual({ source: 'in-cluster' });
    expect(chooseKubeconfig(view(everything.slice(1), inCluster))).toEqual({ source: 'k3s', path: K3S_KUBECONFIG });
    expect(chooseKubeconfig(view(everything, { KUBERNETES_SERVICE_HOST: '10.43.0.1' }))).toEqual({ source: 'k3s', path: K3S_KUBECONFIG });
  });

  it('then k3s, then RKE2, then ~/.kube/config', () => {
    expect(chooseKubeconfig(view([RKE2_KUBECONFIG, '/home/tech/.kube/config']))).toEqual({ source: 'rke2', path: RKE2_KUBECONFIG });
    expect(chooseKubeconfig(view(['/home/tech/.kube/config']))).toEqual({ source: 'home', path: '/home/tech/.kube/config' });
  });

  it('looks nowhere when the setting is none', () => {
    expect(chooseKubeconfig(view(everything, { KUBECONFIG: '/a', ...inCluster }, 'none'))).toBeNull();
  });

  it('finds no cluster when nothing exists', () => {
    expect(chooseKubeconfig(view([]))).toBeNull();
  });

  it('keeps an explicit setting even when its file is missing, instead of falling through to another cluster', () => {
    expect(chooseKubeconfig(view([K3S_KUBECONFIG], {}, '/missing.yaml'))).toEqual({ source: 'config', path: '/missing.yaml' });
  });
});
