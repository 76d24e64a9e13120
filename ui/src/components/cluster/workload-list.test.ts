import { describe, expect, it } from 'vitest';
import { initialClusterState, type ClusterState, type WorkloadSummary } from '@protocol';
import { parseWorkloadPath } from './workload-format.ts';
import { WorkloadListManager } from './workload-list.svelte.ts';

function workload(namespace: string, name: string, severity: WorkloadSummary['severity'] = 'ok'): WorkloadSummary {
  return { key: `${namespace}/deployment/${name}`, namespace, kind: 'deployment', name, ready: 1, desired: 1, restarts: 0, createdAt: 0, images: [`${name}:1`], status: severity === 'trouble' ? 'CrashLoopBackOff' : 'Running', reason: null, severity, recreated: true };
}

function cluster(): ClusterState {
  return {
    ...initialClusterState({ state: 'connected', since: 0, lastError: null, source: null, server: null }),
    namespaces: ['default', 'ingest', 'kube-node-lease', 'kube-public', 'kube-system'],
    workloads: [workload('ingest', 'opcua-bridge', 'trouble'), workload('kube-system', 'metrics-server', 'trouble'), workload('ingest', 'sensor-ingester'), workload('kube-system', 'coredns'), workload('kube-system', 'local-path-provisioner')],
  };
}

describe('workload list', () => {
  it('hides system namespaces and their healthy workloads until asked, but never their trouble', () => {
    const list = new WorkloadListManager(cluster);
    expect(list.namespaces).toEqual(['default', 'ingest']);
    expect(list.hiddenNamespaces).toBe(3);
    expect(list.shown.map((w) => w.name)).toEqual(['opcua-bridge', 'metrics-server', 'sensor-ingester']);
    expect(list.summary).toBe('2 in trouble · 5 workloads, 2 in system namespaces hidden');
    list.showSystem = true;
    expect(list.namespaces).toContain('kube-system');
    expect(list.shown).toHaveLength(5);
    expect(list.summary).toBe('2 in trouble · 5 workloads');
  });

  it('drops a system namespace choice when system namespaces are hidden again', () => {
    const list = new WorkloadListManager(cluster);
    list.showSystem = true;
    list.namespace = 'kube-system';
    expect(list.shown.map((w) => w.name)).toEqual(['metrics-server', 'coredns', 'local-path-provisioner']);
    list.showSystem = false;
    expect(list.namespace).toBe('');
  });

  it('filters by text and says "1 workload", not "1 workloads"', () => {
    const one = new WorkloadListManager(() => ({ ...cluster(), workloads: [workload('ingest', 'sensor-ingester')] }));
    expect(one.summary).toBe('0 in trouble · 1 workload');
    const list = new WorkloadListManager(cluster);
    list.filter = 'SENSOR';
    expect(list.shown.map((w) => w.name)).toEqual(['sensor-ingester']);
    expect(new WorkloadListManager(() => null).summary).toBe('0 in trouble · 0 workloads');
  });
});

describe('workload addresses', () => {
  it('reads the list, one workload, and says what is wrong with an address that names none', () => {
    expect(parseWorkloadPath('/workloads')).toEqual({ view: 'list' });
    expect(parseWorkloadPath('/workloads/')).toEqual({ view: 'list' });
    expect(parseWorkloadPath('/workloads/ingest/deployment/opcua-bridge')).toEqual({ view: 'detail', namespace: 'ingest', kind: 'deployment', name: 'opcua-bridge' });
    expect(parseWorkloadPath('/workloads/nonsense')).toEqual({ view: 'invalid', why: 'a workload address reads /workloads/namespace/kind/name' });
    expect(parseWorkloadPath('/workloads/ingest/gadget/x')).toMatchObject({ view: 'invalid', why: expect.stringContaining('“gadget” is not a kind of workload') });
    expect(parseWorkloadPath('/workloads/Ingest/deployment/x')).toMatchObject({ view: 'invalid', why: '“Ingest” cannot be a namespace name' });
    expect(parseWorkloadPath('/workloads/ingest/pod/%E0%A4%A')).toMatchObject({ view: 'invalid' });
  });
});
