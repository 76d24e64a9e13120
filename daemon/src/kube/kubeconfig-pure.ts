// The credentials in a kubeconfig (pure): the current context's server, CA, client certificate and
// key, or token. Kubeconfigs of k3s, RKE2 and kubeadm (client certificates) and service-account
// tokens need nothing more; an exec or auth-provider plugin (or a proxy) is reported so the caller
// can use the full client library for it. Relative file names resolve against the kubeconfig's folder.
import { parse } from 'yaml';

export interface KubeCredentials {
  server: string;
  /** PEM; null: the system's trust store. */
  ca: string | null;
  insecure: boolean;
  tlsServerName: string | null;
  cert: string | null;
  key: string | null;
  token: string | null;
  /** Re-read on use (projected service-account tokens rotate). */
  tokenFile: string | null;
  basic: { username: string; password: string } | null;
  /** The user authenticates through an exec or auth-provider plugin, or the cluster is reached through a proxy. */
  plugin: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const named = (list: unknown, name: unknown, field: string): Json => {
  const entry = (Array.isArray(list) ? list : []).find((e) => isObject(e) && e.name === name) as Json | undefined;
  const value = entry?.[field];
  if (!isObject(value)) throw new Error(`the kubeconfig has no ${field} named ${String(name)}`);
  return value;
};

export function parseKubeconfig(text: string, resolve: (file: string) => string): KubeCredentials {
  const doc = parse(text) as unknown;
  if (!isObject(doc)) throw new Error('the kubeconfig is not a YAML mapping');
  const context = named(doc.contexts, doc['current-context'], 'context');
  const cluster = named(doc.clusters, context.cluster, 'cluster');
  const user = isObject(context.user) || typeof context.user === 'string' ? named(doc.users, context.user, 'user') : {};
  if (typeof cluster.server !== 'string' || cluster.server === '') throw new Error('the current cluster has no server');
  const data = (inline: unknown, file: unknown): string | null => {
    if (typeof inline === 'string') return Buffer.from(inline, 'base64').toString('utf8');
    return typeof file === 'string' ? resolve(file) : null;
  };
  return {
    server: cluster.server.replace(/\/$/, ''),
    ca: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    insecure: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: typeof cluster['tls-server-name'] === 'string' ? cluster['tls-server-name'] : null,
    cert: data(user['client-certificate-data'], user['client-certificate']),
    key: data(user['client-key-data'], user['client-key']),
    token: typeof user.token === 'string' ? user.token : null,
    tokenFile: typeof user.tokenFile === 'string' ? user.tokenFile : null,
    basic: typeof user.username === 'string' && typeof user.password === 'string' ? { username: user.username, password: user.password } : null,
    plugin: isObject(user.exec) || isObject(user['auth-provider']) || typeof cluster['proxy-url'] === 'string',
  };
}

/** The literal secrets among the credentials (the key also in base64, as a kubeconfig carries it), for the support bundle's scrubber. */
export function credentialSecrets(creds: KubeCredentials): string[] {
  const key = creds.key ? [creds.key, Buffer.from(creds.key).toString('base64')] : [];
  return [creds.token, creds.basic?.password, ...key].filter((v): v is string => typeof v === 'string' && v !== '');
}
