// Front door of the shared Kubernetes HTTP client: the web process (list, watch, logs) and the
// upgrade engine both reach the API server through it. Agent side and web side may import it; it
// imports neither (docs/cluster.md, "The web process's client").
import { credentialAuth, kubeHttp, readCredentials, tokenFromFile, type KubeHttp } from './http-adapter.ts';
import { credentialSecrets } from './kubeconfig-pure.ts';

export { parseKubeconfig, credentialSecrets, type KubeCredentials } from './kubeconfig-pure.ts';
export { credentialAuth, httpTransport, kubeHttp, readCredentials, type HttpVerb, type KubeAuth, type KubeHttp, type KubeTransport } from './http-adapter.ts';

export interface KubeConnection {
  readonly http: KubeHttp;
  /** Literal credentials (token, password, key) the support bundle scrubs wherever they appear. */
  readonly secrets: readonly string[];
  /** True when @kubernetes/client-node was loaded for an auth plugin or a proxy. */
  readonly library: boolean;
}

/** Throws when the kubeconfig cannot be read. Loads @kubernetes/client-node only when the kubeconfig needs it. */
export async function connectKubeHttp(kubeconfig: string | 'in-cluster', env: NodeJS.ProcessEnv = process.env): Promise<KubeConnection> {
  const creds = readCredentials(kubeconfig, env);
  if (!creds.plugin) {
    // A service account's token file is read now for the scrubber (requests re-read it: it rotates).
    const secrets = credentialSecrets({ ...creds, token: creds.token ?? tokenFromFile(creds) });
    return { http: kubeHttp(credentialAuth(creds)), secrets, library: false };
  }
  const { clientNodeAuth } = await import('./clientnode-adapter.ts');
  const auth = clientNodeAuth(kubeconfig);
  return { http: kubeHttp(auth), secrets: auth.secrets, library: true };
}
