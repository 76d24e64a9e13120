// Browser uploads over tus 1.0.0 (docs/uploads-and-usb.md), through the real daemon with the real tus
// client: a bundle uploaded is verified and offered with its source; a tampered one is refused with
// its code and the spool is cleaned; who may upload and from where; limits; cancel; expiry; a stalled
// connection closed after the idle timeout and resumed.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBigBundle } from '../bench/big-bundle.ts';
import { writeTrust } from '../fixtures/bundle-forge/forge.ts';
import { KEY_A } from '../fixtures/bundle-forge/test-keys.ts';
import { userSession, type TestSession } from '../helpers/auth.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { createUpload, rawRequest, tusUpload, uploadOutcome } from '../helpers/uploads.ts';

let dir: string;
let good: string;
let tampered: string;
let daemon: TestDaemon;
let operator: TestSession;
let viewer: TestSession;
const MiB = 1024 * 1024;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'outpost-uploads-'));
  const trust = await writeTrust(path.join(dir, 'trust'));
  good = path.join(dir, 'good.outpost');
  await writeBigBundle(good, 6 * MiB + 777, KEY_A, 3);
  tampered = path.join(dir, 'tampered.outpost');
  const bytes = readFileSync(good);
  bytes[bytes.length - 1024 - 4000]! ^= 0xff; // inside the last payload member
  writeFileSync(tampered, bytes);
  // No containerd here: `false` answers at once that it is unreachable (the plan says so), instead of ctr's 10 s connect timeout.
  daemon = await startTestDaemon({ upgrade: { trustDir: trust }, containerd: { ctr: '/bin/false' }, uploads: { idleTimeoutSeconds: 1, expireHours: 0.001, maxBytes: 2 ** 44 } });
  operator = await userSession(daemon.home, daemon.url, 'olga', 'operator');
  viewer = await userSession(daemon.home, daemon.url, 'vic', 'viewer');
});

afterAll(async () => {
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const spool = () => readdirSync(path.join(daemon.home, 'uploads'));
const tus = { 'tus-resumable': '1.0.0' };

describe('a tus upload', () => {
  it('is verified, offered with source upload, and leaves nothing in the spool', async () => {
    const run = tusUpload(daemon.url, operator, good);
    const url = await run.done;
    const outcome = await uploadOutcome(daemon.url, operator, new URL(url).pathname);
    expect(outcome.state).toBe('offered');
    const bundles = (await (await fetch(new URL('/api/v1/bundles', daemon.url), { headers: operator.auth() })).json()) as { bundles: { id: string; source: string; name: string }[] };
    expect(bundles.bundles.find((b) => b.id === outcome.bundle?.id)?.source).toBe('upload');
    await daemon.uploads.registry.idle();
    expect(spool()).toEqual([]);
  });

  it('of a tampered bundle is refused with the bundle’s own code, and the spool is cleaned', async () => {
    const url = await tusUpload(daemon.url, operator, tampered).done;
    const outcome = await uploadOutcome(daemon.url, operator, new URL(url).pathname);
    expect(outcome.state).toBe('refused');
    expect(outcome.error?.code).toBe('bundle.member_digest_mismatch');
    await daemon.uploads.registry.idle();
    expect(spool()).toEqual([]);
  });

  it('records start, complete and abandoned in the audit log', async () => {
    const admin = await userSession(daemon.home, daemon.url, 'ada', 'admin');
    const created = await createUpload(daemon.url, operator.headers(), 4096);
    expect(created.status).toBe(201);
    expect((await rawRequest(new URL(created.location, daemon.url).href, 'DELETE', { ...operator.headers(), ...tus })).status).toBe(204);
    expect(spool()).toEqual([]);
    const res = await fetch(new URL('/api/v1/audit?limit=200', daemon.url), { headers: admin.auth() });
    const records = ((await res.json()) as { records: { action: string; outcome: string; actor: string; detail: Record<string, unknown> }[] }).records;
    const actions = records.filter((r) => r.action.startsWith('upload.')).map((r) => `${r.action} ${r.outcome} ${r.actor}`);
    expect(actions).toContain('upload.start success olga');
    expect(actions).toContain('upload.complete success olga');
    expect(actions).toContain('upload.complete failure olga');
    expect(actions).toContain('upload.abandoned success olga');
    expect(records.find((r) => r.action === 'upload.complete' && r.outcome === 'failure')?.detail.code).toBe('bundle.member_digest_mismatch');
  });
});

describe('who may upload', () => {
  const methods = async (headers: Record<string, string>) => {
    const created = await createUpload(daemon.url, operator.headers(), 4096);
    const at = new URL(created.location, daemon.url).href;
    const answers = {
      POST: (await createUpload(daemon.url, headers, 4096)).status,
      HEAD: (await rawRequest(at, 'HEAD', { ...headers, ...tus })).status,
      PATCH: (await rawRequest(at, 'PATCH', { ...headers, ...tus, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, Buffer.alloc(10))).status,
      DELETE: (await rawRequest(at, 'DELETE', { ...headers, ...tus })).status,
    };
    await rawRequest(at, 'DELETE', { ...operator.headers(), ...tus });
    return answers;
  };

  it('refuses a viewer', async () => {
    expect(await methods(viewer.headers())).toEqual({ POST: 403, HEAD: 403, PATCH: 403, DELETE: 403 });
  });

  it('refuses a foreign Origin', async () => {
    expect(await methods(operator.headers({ origin: 'http://evil.example' }))).toEqual({ POST: 403, HEAD: 403, PATCH: 403, DELETE: 403 });
  });

  it('refuses a request without the CSRF token', async () => {
    const { 'x-csrf-token': _token, ...headers } = operator.headers();
    expect(await methods(headers)).toEqual({ POST: 403, HEAD: 403, PATCH: 403, DELETE: 403 });
  });

  it('refuses a request without a session', async () => {
    expect(await methods({ origin: operator.origin })).toEqual({ POST: 401, HEAD: 401, PATCH: 401, DELETE: 401 });
  });

  it('answers a foreign Host with host_not_allowed', async () => {
    const answer = await createUpload(daemon.url, operator.headers({ host: 'evil.example' }), 4096);
    expect(answer.status).toBe(421);
  });

  it('takes PATCH bodies of the tus type only', async () => {
    const created = await createUpload(daemon.url, operator.headers(), 4096);
    const at = new URL(created.location, daemon.url).href;
    const answer = await rawRequest(at, 'PATCH', { ...operator.headers(), ...tus, 'upload-offset': '0', 'content-type': 'text/plain' }, Buffer.alloc(10));
    expect(answer.status).toBe(415);
    await rawRequest(at, 'DELETE', { ...operator.headers(), ...tus });
  });
});

describe('limits', () => {
  it('refuses a length above uploads.maxBytes, a deferred length, and a third upload at once', async () => {
    const big = await createUpload(daemon.url, operator.headers(), 2 ** 45);
    expect([big.status, JSON.parse(big.body).code]).toEqual([413, 'upload_too_large']);
    const deferred = await rawRequest(new URL('/api/v1/uploads', daemon.url).href, 'POST', { ...operator.headers(), ...tus, 'upload-defer-length': '1' });
    expect(deferred.status).toBe(413);
    const a = await createUpload(daemon.url, operator.headers(), 4096);
    const b = await createUpload(daemon.url, operator.headers(), 4096);
    const c = await createUpload(daemon.url, operator.headers(), 4096);
    expect([a.status, b.status, c.status]).toEqual([201, 201, 409]);
    expect(JSON.parse(c.body).code).toBe('too_many_uploads');
    for (const u of [a, b]) await rawRequest(new URL(u.location, daemon.url).href, 'DELETE', { ...operator.headers(), ...tus });
  });

  it('refuses a length that would eat into the disk reserve', async () => {
    const fs = statfsSync(path.join(daemon.home, 'uploads'));
    const answer = await createUpload(daemon.url, operator.headers(), fs.bavail * fs.bsize);
    expect([answer.status, JSON.parse(answer.body).code]).toEqual([507, 'insufficient_storage']);
  });

  it('deletes an incomplete upload once it expires', async () => {
    const created = await createUpload(daemon.url, operator.headers(), 4096);
    const at = new URL(created.location, daemon.url).href;
    const deadline = Date.now() + 20_000;
    while (spool().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(spool()).toEqual([]);
    expect([404, 410]).toContain((await rawRequest(at, 'HEAD', { ...operator.headers(), ...tus })).status);
  });
});

describe('a stalled connection', () => {
  it('is closed after the idle timeout and the upload resumes at the server’s offset', async () => {
    const size = statSync(good).size;
    const created = await createUpload(daemon.url, operator.headers(), size);
    const at = new URL(created.location, daemon.url);
    const first = readFileSync(good).subarray(0, 1 * MiB);
    // A client that sends 1 MiB of its PATCH and then nothing.
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = net.connect(Number(at.port), at.hostname, () => {
        const head = [`PATCH ${at.pathname} HTTP/1.1`, `Host: ${at.host}`, ...Object.entries({ ...operator.headers(), ...tus, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(size) }).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
        socket.write(head);
        socket.write(first, () => {
          const sent = Date.now();
          socket.once('close', () => resolve(Date.now() - sent));
        });
      });
      socket.on('error', () => undefined);
      setTimeout(() => reject(new Error('the server never closed the stalled connection')), 15_000);
    });
    expect(closedAfter).toBeGreaterThanOrEqual(900);
    expect(closedAfter).toBeLessThan(10_000);
    const head = await rawRequest(at.href, 'HEAD', { ...operator.headers(), ...tus });
    expect(Number(head.headers['upload-offset'])).toBe(first.length);
    const rest = readFileSync(good).subarray(first.length);
    const patched = await rawRequest(at.href, 'PATCH', { ...operator.headers(), ...tus, 'upload-offset': String(first.length), 'content-type': 'application/offset+octet-stream' }, rest);
    expect(patched.status).toBe(204);
    expect((await uploadOutcome(daemon.url, operator, at.pathname)).state).toBe('offered');
  });
});
