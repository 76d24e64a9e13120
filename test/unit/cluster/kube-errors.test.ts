import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { describeKubeFailure, logOpenProblem } from '../../../daemon/src/cluster/kube-errors.ts';
import { rolloutProgress } from '../../../daemon/src/cluster/rollout.ts';

// The shapes the Kubernetes client really throws: Node's fetch failure with the socket error as its
// cause, and ApiException whose message is a dump of status, body and headers.
const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }) });
const logDump = new ApiException(400, 'Error occurred in log request', undefined, { 'content-type': 'application/json', date: 'Wed, 02 Dec 2026 05:27:52 GMT' });

describe('Kubernetes failures on the screen', () => {
  it('names the network cause in words, never "fetch failed"', () => {
    expect(describeKubeFailure(refused)).toBe('the Kubernetes API server refuses connections (it may be restarting)');
    expect(describeKubeFailure(new TypeError('fetch failed'))).toBe('the Kubernetes API server does not answer');
    // What the client's log reader throws when the connection failed (it drops the cause).
    expect(describeKubeFailure(new ApiException(500, 'Error occurred in log request', undefined, {}))).toBe('the Kubernetes API server does not answer');
    expect(describeKubeFailure(new ApiException(500, 'x', undefined, { 'content-type': 'text/plain' }))).toBe('the Kubernetes API server answered 500 Internal Server Error');
  });

  it('turns the client\'s HTTP dump into the status and the server\'s own message, without headers', () => {
    const text = describeKubeFailure(logDump);
    expect(text).toBe('the Kubernetes API server answered 400 Bad Request');
    expect(text).not.toMatch(/HTTP-Code|Headers|Body|\{/);
    const forbidden = new ApiException(403, 'Forbidden', JSON.stringify({ kind: 'Status', message: 'pods is forbidden: User "outpost-web" cannot list resource "pods"' }), {});
    expect(describeKubeFailure(forbidden)).toBe('the cluster refused Outpost\'s credentials (403 Forbidden): pods is forbidden: User "outpost-web" cannot list resource "pods"');
    const watch = Object.assign(new Error('Service Unavailable'), { statusCode: 503 });
    expect(describeKubeFailure(watch)).toBe('the Kubernetes API server answered 503 Service Unavailable');
  });

  it('keeps only the message part of a dump it does not recognise, and stays short', () => {
    expect(describeKubeFailure(new Error('HTTP-Code: 418\nMessage: teapot\nBody: {"a":1}\nHeaders: {}'))).toBe('teapot');
    expect(describeKubeFailure(new Error('x'.repeat(1000))).length).toBeLessThanOrEqual(200);
  });

  it('says a container that has not started has no log yet, with the kubelet\'s reason', () => {
    expect(logOpenProblem(logDump, { name: 'exporter', waitingReason: 'ErrImageNeverPull' })).toBe(
      'No log yet: exporter has not started (ErrImageNeverPull). It appears here once the container runs.',
    );
    expect(logOpenProblem(refused, { name: 'exporter', waitingReason: null })).toBe(
      'Cannot read the log: the Kubernetes API server refuses connections (it may be restarting). Retrying by itself.',
    );
  });
});

describe('rollout progress in words', () => {
  it('counts one pod as "pod" and several as "pods"', () => {
    const deployment = (replicas: number, status: Record<string, number>) => ({ metadata: { generation: 2 }, spec: { replicas }, status: { observedGeneration: 2, ...status } });
    expect(rolloutProgress('deployment', deployment(1, { updatedReplicas: 0 })).message).toBe('0 of 1 new pod created');
    expect(rolloutProgress('deployment', deployment(1, { updatedReplicas: 1, replicas: 2 })).message).toBe('1 old pod terminating');
    expect(rolloutProgress('deployment', deployment(3, { updatedReplicas: 3, replicas: 5 })).message).toBe('2 old pods terminating');
    expect(rolloutProgress('statefulset', { metadata: {}, spec: { replicas: 1 }, status: { updatedReplicas: 1, readyReplicas: 0 } }).message).toBe('0 of 1 pod ready');
  });
});
