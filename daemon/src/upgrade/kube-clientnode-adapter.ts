// Adapter: the transport for kubeconfigs whose user authenticates through an exec or auth-provider
// plugin, where @kubernetes/client-node does the authentication. Loaded only for those.
import { HttpMethod, IsomorphicFetchHttpLibrary, KubeConfig, RequestContext } from '@kubernetes/client-node';
import type { KubeTransport } from './kube-rest.ts';

const TIMEOUT_MS = 20_000;

export function clientNodeTransport(kubeconfig: string | 'in-cluster'): { transport: KubeTransport; server: string } {
  const kc = new KubeConfig();
  if (kubeconfig === 'in-cluster') kc.loadFromCluster();
  else kc.loadFromFile(kubeconfig);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  const server = cluster.server.replace(/\/$/, '');
  const library = new IsomorphicFetchHttpLibrary();
  const transport: KubeTransport = async (request) => {
    const context = new RequestContext(`${server}${request.path}`, HttpMethod[request.method]);
    context.setHeaderParam('Accept', request.accept);
    if (request.body !== undefined) {
      context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
      context.setBody(request.body);
    }
    context.setSignal(AbortSignal.timeout(TIMEOUT_MS));
    await kc.applySecurityAuthentication(context);
    const response = await library.send(context).toPromise();
    return { status: response.httpStatusCode, text: await response.body.text() };
  };
  return { transport, server };
}
