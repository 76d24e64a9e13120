import { describe, expect, it } from 'vitest';
import { parseKubeconfig } from '../../../daemon/src/kube/kubeconfig-pure.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const k3s = `apiVersion: v1
kind: Config
current-context: default
clusters:
- name: other
  cluster: {server: https://10.0.0.9:6443}
- name: default
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: ${b64('CA PEM')}
users:
- name: default
  user:
    client-certificate-data: ${b64('CERT PEM')}
    client-key-data: ${b64('KEY PEM')}
contexts:
- name: default
  context: {cluster: default, user: default}
`;

describe('kubeconfig credentials', () => {
  it('reads the current context of a k3s kubeconfig: server, CA and client certificate', () => {
    expect(parseKubeconfig(k3s, () => 'unused')).toEqual({ server: 'https://127.0.0.1:6443', ca: 'CA PEM', insecure: false, tlsServerName: null, cert: 'CERT PEM', key: 'KEY PEM', token: null, tokenFile: null, basic: null, plugin: false });
  });

  it('reads files named relative to the kubeconfig, a token, and insecure-skip-tls-verify', () => {
    const text = 'current-context: c\nclusters: [{name: k, cluster: {server: "http://127.0.0.1:8001", certificate-authority: ca.crt, insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: abc}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n';
    expect(parseKubeconfig(text, (f) => `read ${f}`)).toMatchObject({ server: 'http://127.0.0.1:8001', ca: 'read ca.crt', insecure: true, token: 'abc' });
  });

  it('reports an exec plugin so the full client library takes over', () => {
    const text = 'current-context: c\nclusters: [{name: k, cluster: {server: "https://x"}}]\nusers: [{name: u, user: {exec: {command: aws}}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n';
    expect(parseKubeconfig(text, () => '').plugin).toBe(true);
  });

  it('refuses a kubeconfig whose current context names nothing', () => {
    expect(() => parseKubeconfig('current-context: nope\ncontexts: []\n', () => '')).toThrow(/no context named nope/);
  });
});
