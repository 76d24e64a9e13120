// The support bundle made by a running daemon on the demo cluster (kube-sim with the demo fixtures,
// watched with the read-only outpost-web identity), through the real route as an operator. Secrets
// of every kind are planted first; then every byte of the decompressed bundle is scanned for them.
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FIXTURES } from '../../scripts/demo-setup.ts';
import { generateKeyPair } from '../../daemon/src/bundles/index.ts';
import { resolveConfig } from '../../daemon/src/config/index.ts';
import { LogRing } from '../../daemon/src/lib/log-ring.ts';
import { createLogger } from '../../daemon/src/lib/logger.ts';
import { startDaemon, type DaemonHandle } from '../../daemon/src/main.ts';
import { openDatabase } from '../../daemon/src/store/index.ts';
import { AuditLog } from '../../daemon/src/audit/index.ts';
import { startKubeSim, type KubeSim } from '../kube-sim/index.ts';
import { FAST } from '../kube-sim/test-kit.ts';
import { createUser, login, type TestSession } from '../helpers/auth.ts';
import { eventually } from '../helpers/cluster.ts';
import { ROOT, tempDir } from '../helpers/daemon.ts';
import { readBundle, type ReadBundle } from '../helpers/support-bundle.ts';

const PLANTED = {
  secretValue: 'S3cret-Value-Kept-In-A-Secret-4711',
  scrapeToken: 'scrape-TOKEN-planted-0123456789abcdef',
  envToken: 'tok-LITERAL-in-a-pod-spec-7781',
  argToken: 'tok-ARG-in-a-pod-spec-5521',
  urlPassword: 'Url-Pass-In-Env-9931',
  password: 'operator password planted 1234',
};

const PLANTED_YAML = `
apiVersion: v1
kind: Secret
metadata: {name: db-credentials, namespace: historian}
type: Opaque
data: {password: ${Buffer.from(PLANTED.secretValue).toString('base64')}}
---
apiVersion: v1
kind: Secret
metadata: {name: exporter-token, namespace: historian, annotations: {kubernetes.io/service-account.name: default}}
type: kubernetes.io/service-account-token
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: token-user
  namespace: ingest
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"env":[{"name":"API_TOKEN","value":"${PLANTED.envToken}"}]}'
spec:
  replicas: 1
  selector: {matchLabels: {app: token-user}}
  template:
    metadata:
      labels: {app: token-user}
      annotations: {sim.outpost.dev/behavior: crashloop, sim.outpost.dev/run-ms: "800"}
    spec:
      containers:
        - name: app
          image: registry.local/edge/sensor-ingester:2.4.1
          args: ["--token", "${PLANTED.argToken}", "--port", "8080"]
          env:
            - {name: API_TOKEN, value: "${PLANTED.envToken}"}
            - {name: UPSTREAM_URL, value: "https://svc:${PLANTED.urlPassword}@upstream.local/"}
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: db-credentials, key: password}}
`;

let sim: KubeSim;
let daemon: DaemonHandle;
let home: string;
let operator: TestSession;
let bundle: ReadBundle;
let response: Response;
const planted: Record<string, string> = { ...PLANTED };

beforeAll(async () => {
  home = tempDir('outpost-support-daemon-');
  const fixturesDir = [DEMO_FIXTURES, path.join(ROOT, 'scripts/k8s')];
  sim = await startKubeSim({ port: 0, fixturesDir, imagesFile: path.join(DEMO_FIXTURES, 'images.txt'), tickMs: 50, logIntervalMs: 200, timing: FAST });
  sim.cluster.load(PLANTED_YAML);
  // The read-only web identity: the bundle must need nothing more.
  const kubeconfig = await sim.writeKubeconfig(path.join(home, 'web.kubeconfig'), { serviceAccount: 'outpost-system/outpost-web' });
  planted.kubeToken = /token: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))?.[1] ?? 'missing';
  await createUser(home, 'otto', 'operator', PLANTED.password);
  await createUser(home, 'vera', 'viewer');
  const db = openDatabase(home);
  planted.passwordHash = (db.prepare("SELECT password_hash FROM users WHERE username = 'otto'").get() as { password_hash: string }).password_hash;
  db.close();
  const keys = await generateKeyPair(path.join(home, 'trust', 'keys'));
  planted.trustedSigningKey = readFileSync(keys.privateKeyPath, 'utf8');
  planted.homeSigningKey = readFileSync((await generateKeyPair(home)).privateKeyPath, 'utf8');

  const settings = {
    home,
    listen: { address: '127.0.0.1', port: 0 },
    kiosk: { port: 0 },
    log: { level: 'info' },
    cluster: { kubeconfig, stabilitySeconds: 3 },
    metrics: { scrapeToken: PLANTED.scrapeToken },
    // Refusals are counted into one audit record per window: a short one, so the test sees it.
    audit: { aggregateSeconds: 0.3 },
  };
  const result = resolveConfig({ file: { path: 'test', text: JSON.stringify(settings) }, env: {}, flags: {}, cwd: home });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const recentLogs = new LogRing();
  // The TLS key exists once the daemon has started; the fake journal prints it then (read at bundle time).
  const journalDir = path.join(home, 'fake-bin');
  mkdirSync(journalDir);
  const journalctl = path.join(journalDir, 'journalctl');
  const script = [
    '#!/bin/sh',
    `echo "box outpost[7]: scraped with Authorization: Bearer ${PLANTED.scrapeToken}"`,
    // A slow journal on demand, to interrupt a download half-way.
    `[ -f '${path.join(home, 'slow-journal')}' ] && sleep 10`,
    `cat '${path.join(home, 'tls', 'key.pem')}'`,
    'echo "box outpost[7]: after the key"',
  ];
  writeFileSync(journalctl, `${script.join('\n')}\n`);
  chmodSync(journalctl, 0o755);
  const log = createLogger('info', { write: () => true }, recentLogs);
  daemon = await startDaemon(result.config, log, { support: { journal: { command: journalctl } } }, { recentLogs });
  planted.tlsKey = readFileSync(path.join(home, 'tls', 'key.pem'), 'utf8');
  planted.setupCode = daemon.setupCode ?? 'missing';
  expect(daemon.setupCode).not.toBeNull();

  await eventually(() => {
    const w = daemon.cluster.topic.state.workloads.find((x) => x.key === 'ingest/deployment/opcua-bridge');
    return w?.status === 'CrashLoopBackOff' && w.restarts > 0;
  }, 'opcua-bridge crash-looping', 30_000);
  await eventually(() => sim.cluster.get('v1', 'Secret', 'historian', 'exporter-token')?.data?.token, 'the sim to fill the token secret');
  const tokenSecret = sim.cluster.get('v1', 'Secret', 'historian', 'exporter-token');
  planted.serviceAccountSecretToken = Buffer.from(String(tokenSecret?.data?.token), 'base64').toString('utf8');
  await eventually(() => daemon.health.history.fineLength >= 3, 'three health samples', 15_000);

  operator = await login(daemon.url, 'otto', PLANTED.password);
  planted.sessionCookie = operator.cookie.split('=')[1] ?? 'missing';
  planted.csrfToken = operator.csrfToken;
  response = await fetch(new URL('/api/v1/support-bundle', daemon.url), { method: 'POST', headers: operator.headers() });
  bundle = await readBundle(Buffer.from(await response.arrayBuffer()));
}, 90_000);

afterAll(async () => {
  await daemon?.close();
  await sim?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** Every way a secret could be written: as is, base64, and each line of a PEM body. */
function forms(value: string): string[] {
  const out = [value, Buffer.from(value).toString('base64')];
  if (value.includes('-----BEGIN')) out.push(...value.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')));
  return out;
}

describe('support bundle from the running daemon', () => {
  it('streams a .tar.gz download under its own name', () => {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="outpost-support-[a-z0-9-]+-\d{8}T\d{6}Z\.tar\.gz"$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('holds no Secret data, token, private key or password hash anywhere, in any member', () => {
    const text = bundle.tar.toString('latin1');
    for (const [what, value] of Object.entries(planted)) {
      expect(value.length, what).toBeGreaterThan(8);
      for (const form of forms(value)) expect(text.includes(form), `${what} (${form.slice(0, 24)}…) is in the bundle`).toBe(false);
    }
    expect(text).not.toMatch(/"kind":\s*"Secret"/);
    expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    expect(text).not.toMatch(/scrypt\$N=/);
  });

  it('shows env values that come from a Secret as references, and redacts literal ones named like secrets', () => {
    type Pod = { metadata: { name: string }; spec: { containers: { env?: unknown[]; args?: string[] }[] } };
    const pods = bundle.get('cluster/pods.jsonl')!.text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Pod);
    const pod = pods.find((p) => p.metadata.name.startsWith('token-user-'))!;
    expect(pod.spec.containers[0]!.env).toEqual([
      { name: 'API_TOKEN', value: '[redacted]' },
      { name: 'UPSTREAM_URL', value: 'https://svc:[redacted]@upstream.local/' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
    ]);
    expect(pod.spec.containers[0]!.args).toEqual(['--token', '[redacted]', '--port', '8080']);
  });

  it('holds every section: versions, config, verdict, health history, audit state, cluster, events, container logs, daemon logs', () => {
    const paths = bundle.members.map((m) => m.path);
    const expected = [
      'versions/versions.json', 'config/effective.json', 'status/verdict.json', 'health/now.json', 'health/history-1h.json', 'health/history-24h.json',
      'audit/chain.json', 'cluster/connection.json', 'cluster/workloads.json', 'events/events.jsonl', 'container-logs/troubled.json',
      'logs/journal.log', 'logs/daemon-recent.jsonl', 'index.json', 'MANIFEST.txt',
    ];
    for (const p of expected) {
      expect(paths, p).toContain(p);
    }
    for (const kind of ['namespaces', 'nodes', 'pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs']) {
      expect(paths).toContain(`cluster/${kind}.jsonl`);
    }
    expect(paths.at(-2)).toBe('index.json');
    expect(paths.at(-1)).toBe('MANIFEST.txt');
    const versions = bundle.json<{ outpost: string; node: string; kubernetes: { gitVersion: string }; databaseSchema: number }>('versions/versions.json');
    expect(versions.node).toBe(process.versions.node);
    expect(versions.kubernetes.gitVersion).toMatch(/^v1\.\d+/);
    expect(versions.databaseSchema).toBeGreaterThan(0);
    expect(bundle.json<{ config: { metrics: { scrapeToken: string } } }>('config/effective.json').config.metrics.scrapeToken).toBe('[redacted]');
    const chain = bundle.json<{ verified: boolean; records: number; head: string }>('audit/chain.json');
    expect(chain).toMatchObject({ verified: true, head: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(bundle.json<{ time: number[] }>('health/history-1h.json').time.length).toBeGreaterThanOrEqual(3);
    expect(bundle.json<{ status: string }>('status/verdict.json').status).toMatch(/ok|warning|critical/);
    type Index = { sections: { section: string; outcome: string; skipped: { reason: string }[] }[] };
    const upgrades = bundle.json<Index>('index.json').sections.find((s) => s.section === 'upgrades');
    // No release was ever installed here: the engine's tables are there, and empty.
    expect(upgrades).toMatchObject({ outcome: 'complete', skipped: [] });
    expect(bundle.json<unknown[]>('upgrades/releases.json')).toEqual([]);
  });

  it('includes the last lines of each container of the workloads in trouble, the previous instance too', () => {
    const troubled = bundle.json<{ workload: string; container: string; pod: string }[]>('container-logs/troubled.json');
    const inTrouble = ['ingest/deployment/opcua-bridge', 'historian/deployment/report-exporter', 'ingest/deployment/token-user'];
    expect(troubled.map((t) => t.workload)).toEqual(expect.arrayContaining(inTrouble));
    const bridge = troubled.find((t) => t.workload === 'ingest/deployment/opcua-bridge')!;
    const current = bundle.get(`container-logs/${bridge.pod}/bridge.log`)!.text.trim().split('\n');
    const previous = bundle.get(`container-logs/${bridge.pod}/bridge.previous.log`)!.text;
    expect(current.length).toBeGreaterThan(0);
    expect(current.length).toBeLessThanOrEqual(500);
    expect(previous).toMatch(/unrecoverable error, exiting/);
    const index = bundle.json<{ sections: { section: string; skipped: { path: string; reason: string }[] }[] }>('index.json');
    const skipped = index.sections.find((s) => s.section === 'container-logs')!.skipped;
    expect(skipped.find((s) => s.path.includes('report-exporter'))?.reason).toMatch(/waiting to start/);
  });

  it('includes the journal and the daemon\'s recent lines, scrubbed', () => {
    const journal = bundle.get('logs/journal.log')!.text;
    expect(journal).toContain('scraped with Authorization: Bearer [redacted]');
    expect(journal).toContain('[private key removed by outpost]');
    expect(journal).toContain('box outpost[7]: after the key');
    const recent = bundle.get('logs/daemon-recent.jsonl')!.text;
    expect(recent).toMatch(/outpost listening/);
    expect(recent).toMatch(/Setup code: \[redacted\]/);
  });

  it('keeps the tar under support.maxBytes and says in MANIFEST.txt what is inside and what never is', () => {
    expect(bundle.tar.length).toBeLessThanOrEqual(50 << 20);
    const manifest = bundle.get('MANIFEST.txt')!.text;
    expect(manifest).toMatch(/^Outpost support bundle outpost-support-/);
    expect(manifest).toContain('Never included:');
    expect(manifest).toMatch(/cluster\/ — .*: complete/);
    expect(manifest).toContain('cluster/pods.jsonl');
  });

  it('is audited with its outcome: success for the operator, denied for a viewer; a viewer cannot make one', async () => {
    const viewer = await login(daemon.url, 'vera');
    const refused = await fetch(new URL('/api/v1/support-bundle', daemon.url), { method: 'POST', headers: viewer.headers() });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('forbidden');
    const withoutCsrf = { cookie: operator.cookie, origin: operator.origin };
    const noCsrf = await fetch(new URL('/api/v1/support-bundle', daemon.url), { method: 'POST', headers: withoutCsrf });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { code: string }).code).toBe('csrf_failed');
    const db = openDatabase(home);
    try {
      const records = await eventually(() => {
        const found = new AuditLog(db).query({ action: 'support.bundle' }).map((r) => [r.actor, r.outcome]);
        return found.some(([actor]) => actor === 'vera') ? found : null;
      }, "the viewer's counted refusal", 10_000);
      expect(records).toEqual(expect.arrayContaining([['otto', 'success'], ['vera', 'denied']]));
    } finally {
      db.close();
    }
  });

  it('makes one bundle at a time: a second request while one is made gets support_bundle_busy', async () => {
    await eventually(() => !daemon.support.busy, 'the earlier bundle to be done');
    const cancel = new AbortController();
    const first = daemon.support.open(cancel.signal);
    first.stream.resume();
    try {
      const second = await fetch(new URL('/api/v1/support-bundle', daemon.url), { method: 'POST', headers: operator.headers() });
      expect(second.status).toBe(409);
      expect(((await second.json()) as { code: string }).code).toBe('support_bundle_busy');
    } finally {
      cancel.abort(new Error('test done'));
      await first.done.catch(() => undefined);
    }
    expect(daemon.support.busy).toBe(false);
  });

  it('audits a download that breaks off as a failure and frees the bundle for the next one', async () => {
    const marker = path.join(home, 'slow-journal');
    writeFileSync(marker, '');
    try {
      const stop = new AbortController();
      const res = await fetch(new URL('/api/v1/support-bundle', daemon.url), { method: 'POST', headers: operator.headers(), signal: stop.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      await reader.read();
      expect(daemon.support.busy).toBe(true);
      stop.abort();
      await eventually(() => !daemon.support.busy, 'the interrupted bundle to be given up', 10_000);
      const db = openDatabase(home);
      try {
        const failed = new AuditLog(db).query({ action: 'support.bundle', outcome: 'failure' });
        expect(failed[0]).toMatchObject({ actor: 'otto', target: 'support bundle' });
        expect(JSON.parse(failed[0]!.detail)).toMatchObject({ reason: 'the download was interrupted' });
      } finally {
        db.close();
      }
    } finally {
      rmSync(marker, { force: true });
    }
  }, 30_000);

  it('writes a bundle into a folder for the USB hook (writeSupportBundle)', async () => {
    const stick = tempDir('outpost-stick-');
    try {
      writeFileSync(path.join(stick, 'outpost-support'), '');
      const written = await daemon.support.writeSupportBundle(stick, new AbortController().signal);
      expect(readdirSync(stick).sort()).toEqual(['outpost-support', path.basename(written.path)].sort());
      const copy = await readBundle(written.path);
      expect(copy.get('cluster/pods.jsonl')).toBeDefined();
      expect(copy.tar.toString('latin1').includes(PLANTED.scrapeToken)).toBe(false);
    } finally {
      rmSync(stick, { recursive: true, force: true });
    }
  }, 60_000);
});

