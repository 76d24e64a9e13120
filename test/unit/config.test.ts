import { describe, expect, it } from 'vitest';
import { resolveConfig, formatProblems } from '../../daemon/src/config/index.ts';

const base = { env: {}, flags: {}, cwd: '/srv/outpost' };

describe('config', () => {
  it('gives every setting a default suitable for npm start, listening on loopback', () => {
    const result = resolveConfig(base);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.listen).toEqual({ address: '127.0.0.1', port: 7480 });
    expect(result.config.home).toBe('/srv/outpost/.outpost');
    expect(result.config.feed.heartbeatMs).toBe(15_000);
  });

  it('puts the trust folder in the home unless set, and takes the containerd socket from the environment', () => {
    const result = resolveConfig({ ...base, env: { OUTPOST_HOME: '/var/lib/outpost', OUTPOST_CONTAINERD_ADDRESS: '/run/k3s/containerd/containerd.sock' } });
    expect(result.ok && result.config.upgrade.trustDir).toBe('/var/lib/outpost/trust');
    expect(result.ok && result.config.containerd).toEqual({ address: '/run/k3s/containerd/containerd.sock', namespace: 'k8s.io', ctr: 'ctr' });
    expect(result.ok && result.config.upgrade).toMatchObject({ stabilitySeconds: 30, timeoutSeconds: 300, diskReservePercent: 20 });
    const device = resolveConfig({ ...base, file: { path: '/etc/outpost/config.yaml', text: 'upgrade:\n  trustDir: /etc/outpost/trust\ncontainerd:\n  namespace: "bad namespace"\n' } });
    expect(device.ok).toBe(false);
    expect(!device.ok && device.problems.map((p) => p.path)).toEqual(['containerd.namespace']);
  });

  it('layers file < environment < flags', () => {
    const file = { path: '/etc/o.yaml', text: 'listen:\n  port: 9000\nhome: /data\n' };
    const fromFile = resolveConfig({ ...base, file });
    const fromEnv = resolveConfig({ ...base, file, env: { OUTPOST_PORT: '9100', OUTPOST_HOME: 'state' } });
    const fromFlag = resolveConfig({ ...base, file, env: { OUTPOST_PORT: '9100' }, flags: { port: '9200' } });
    expect(fromFile.ok && fromFile.config.listen.port).toBe(9000);
    expect(fromFile.ok && fromFile.config.home).toBe('/data');
    expect(fromEnv.ok && fromEnv.config.listen.port).toBe(9100);
    expect(fromEnv.ok && fromEnv.config.home).toBe('/srv/outpost/state');
    expect(fromFlag.ok && fromFlag.config.listen.port).toBe(9200);
  });

  it('reports every problem at once, each with its path and where the value came from', () => {
    const file = { path: '/etc/o.yaml', text: 'listen:\n  port: 99999\n  color: blue\nfeed:\n  heartbeatMs: 5\nextra: 1\n' };
    const result = resolveConfig({ ...base, file, env: { OUTPOST_LOG_LEVEL: 'loud' }, flags: { listen: 'not-an-ip' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byPath = Object.fromEntries(result.problems.map((p) => [p.path, p]));
    expect(Object.keys(byPath).sort()).toEqual(['extra', 'feed.heartbeatMs', 'listen.address', 'listen.color', 'listen.port', 'log.level']);
    expect(byPath['listen.address']?.source).toBe('flag --listen');
    expect(byPath['listen.address']?.message).toMatch(/IPv4 or IPv6/);
    expect(byPath['log.level']?.source).toBe('environment OUTPOST_LOG_LEVEL');
    expect(byPath['listen.port']?.source).toBe('/etc/o.yaml');
    expect(formatProblems(result.problems)).toContain('listen.port:');
  });

  it('rejects a non-numeric port from the environment instead of guessing', () => {
    const result = resolveConfig({ ...base, env: { OUTPOST_PORT: '80a' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ path: 'listen.port', source: 'environment OUTPOST_PORT' });
  });

  it('rejects YAML with duplicate keys or syntax errors and a file that is not a mapping', () => {
    const dup = resolveConfig({ ...base, file: { path: 'c.yaml', text: 'home: /a\nhome: /b\n' } });
    const broken = resolveConfig({ ...base, file: { path: 'c.yaml', text: 'listen: [1, 2\n' } });
    const list = resolveConfig({ ...base, file: { path: 'c.yaml', text: '- a\n- b\n' } });
    expect(dup.ok || broken.ok || list.ok).toBe(false);
    if (!list.ok) expect(list.problems[0]?.message).toMatch(/mapping/);
  });

  it('is deeply frozen', () => {
    const result = resolveConfig(base);
    if (!result.ok) throw new Error('expected defaults to validate');
    expect(Object.isFrozen(result.config)).toBe(true);
    expect(Object.isFrozen(result.config.listen)).toBe(true);
    expect(() => {
      (result.config.listen as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});
