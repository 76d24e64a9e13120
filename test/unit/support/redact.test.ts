import { describe, expect, it } from 'vitest';
import { CLUSTER_KINDS, isConfigSecretKey, redactConfig, redactKubeObject } from '../../../daemon/src/support/redact-pure.ts';

describe('support bundle redaction', () => {
  it('never lists Secrets or ConfigMaps among the kinds it collects', () => {
    expect(CLUSTER_KINDS.map(String)).not.toContain('secrets');
    expect(CLUSTER_KINDS.map(String)).not.toContain('configmaps');
  });

  it('redacts config values named password, token, key or secret, keeps file paths and leaves unset keys unset', () => {
    expect(isConfigSecretKey('scrapeToken')).toBe(true);
    expect(isConfigSecretKey('keyFile')).toBe(false);
    const config = {
      listen: { address: '0.0.0.0', port: 8443 },
      metrics: { scrapeToken: 'tok-123456789012345' },
      tls: { mode: 'auto', keyFile: '/etc/outpost/key.pem' },
      extra: { apiKey: 'k', password: 'p' },
      allowedHosts: ['box.local'],
      cluster: { kubeconfig: undefined },
    };
    expect(redactConfig(config)).toEqual({
      listen: { address: '0.0.0.0', port: 8443 },
      metrics: { scrapeToken: '[redacted]' },
      tls: { mode: 'auto', keyFile: '/etc/outpost/key.pem' },
      extra: { apiKey: '[redacted]', password: '[redacted]' },
      allowedHosts: ['box.local'],
      cluster: {},
    });
  });

  it('keeps env values that come from a Secret as references and redacts literal values named like secrets', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        namespace: 'n',
        managedFields: [{ manager: 'kubectl' }],
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{"env":[{"name":"API_TOKEN","value":"tok"}]}}',
          'example.com/api-token': 'abc',
          'example.com/owner': 'team',
        },
      },
      spec: {
        containers: [
          {
            name: 'c',
            env: [
              { name: 'MQTT_URL', value: 'mqtt://broker:1883' },
              { name: 'API_TOKEN', value: 'tok-literal' },
              { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
            ],
          },
        ],
      },
      status: { startTime: new Date('2026-12-01T10:00:00Z') },
    };
    const out = redactKubeObject(pod) as unknown as typeof pod & { metadata: Record<string, unknown> };
    expect(out.metadata.managedFields).toBeUndefined();
    expect(out.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toMatch(/^\[removed by outpost/);
    expect(out.metadata.annotations?.['example.com/api-token']).toBe('[redacted]');
    expect(out.metadata.annotations?.['example.com/owner']).toBe('team');
    expect(out.spec.containers[0]?.env).toEqual([
      { name: 'MQTT_URL', value: 'mqtt://broker:1883' },
      { name: 'API_TOKEN', value: '[redacted]' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
    ]);
    expect(out.status.startTime).toBe('2026-12-01T10:00:00.000Z');
    expect(pod.metadata.managedFields).toHaveLength(1);
  });

  it('keeps only the name of a Secret that reaches it anyway', () => {
    const metadata = { name: 'db-credentials', namespace: 'historian' };
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata, data: { password: 'aHVudGVyMg==' }, stringData: { x: 'y' } };
    expect(JSON.stringify(redactKubeObject(secret))).not.toMatch(/aHVudGVyMg|stringData|"y"/);
    expect(redactKubeObject(secret)).toMatchObject({ kind: 'Secret', metadata: { name: 'db-credentials', namespace: 'historian' } });
  });
});
