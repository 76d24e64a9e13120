// Adapter: credentials for kubeconfigs the lean path cannot serve (an exec or auth-provider plugin,
// a proxy), where @kubernetes/client-node authenticates. Loaded (with its ~80 MB) only for those:
// the library fills in each request's options (agent, TLS, Authorization with a fresh plugin token);
// the requests themselves go through http-adapter.ts like every other.
import type https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeAuth } from './http-adapter.ts';

/** The library's options for each request, and the literal credentials it holds (for the support bundle's scrubber). */
export function clientNodeAuth(kubeconfig: string | 'in-cluster'): KubeAuth & { secrets: string[] } {
  const kc = new KubeConfig();
  if (kubeconfig === 'in-cluster') kc.loadFromCluster();
  else kc.loadFromFile(kubeconfig);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  const user = kc.getCurrentUser();
  return {
    server: cluster.server.replace(/\/$/, ''),
    secrets: [user?.token, user?.password, user?.keyData].filter((v): v is string => typeof v === 'string' && v !== ''),
    async requestOptions() {
      const options: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(options);
      return options;
    },
  };
}
