import { describe, expect, it } from 'vitest';
import { createLineScrubber, isSecretName, REDACTED } from '../../../daemon/src/support/scrub-pure.ts';

const scrub = (line: string, known: string[] = []) => createLineScrubber(known).line(line);

describe('support bundle scrubber', () => {
  it('judges names: values of secrets are secret, references to them are not', () => {
    const secret = ['password', 'DB_PASSWORD', 'passwd', 'scrapeToken', 'x-csrf-token', 'API_KEY', 'apiKey', 'client_secret', 'privateKey', 'AWS_ACCESS_KEY'];
    for (const name of [...secret, 'credentials', 'cookie']) {
      expect(isSecretName(name), name).toBe(true);
    }
    const references = ['secretKeyRef', 'secretName', 'tokenExpirationSeconds', 'passwordChangedAt', 'keyFile', 'tokenFile'];
    for (const name of [...references, 'name', 'key', 'MQTT_URL', 'serviceAccountName', 'bypass']) {
      expect(isSecretName(name), name).toBe(false);
    }
  });

  it('replaces literal secrets the device knows wherever they appear', () => {
    expect(scrub('scraped with abcdefghijklmnop1234 by prometheus', ['abcdefghijklmnop1234'])).toBe(`scraped with ${REDACTED} by prometheus`);
    expect(scrub('short 12345 stays', ['12345'])).toBe('short 12345 stays');
  });

  it('removes private key blocks on one line (JSON) and across lines (a log)', () => {
    const json = '{"key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN\\n-----END PRIVATE KEY-----\\n","x":1}';
    expect(scrub(json)).toBe('{"key":"[private key removed by outpost]\\n","x":1}');
    const s = createLineScrubber();
    expect(['before', '-----BEGIN EC PRIVATE KEY-----', 'MHcCAQEEIBx', 'AwEHoUQDQg', '-----END EC PRIVATE KEY-----', 'after'].map((l) => s.line(l))).toEqual([
      'before',
      '[private key removed by outpost]',
      '',
      '',
      '[private key removed by outpost]',
      'after',
    ]);
    expect(scrub('-----BEGIN CERTIFICATE-----')).toBe('-----BEGIN CERTIFICATE-----');
  });

  it('removes password hashes, JWTs, bearer tokens and credentials in URLs', () => {
    expect(scrub('hash scrypt$N=65536,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo end')).toBe('hash [password hash removed by outpost] end');
    expect(scrub('token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0x.c2lnbmF0dXJlc2ln')).not.toContain('eyJhbGciOiJSUzI1NiJ9');
    expect(scrub('Authorization: Bearer abcdef123456')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(scrub('connecting to postgres://historian:s3cr3t-pw@db:5432/x')).toBe(`connecting to postgres://historian:${REDACTED}@db:5432/x`);
  });

  it('redacts values of fields, flags and variables named like secrets, in JSON, YAML, flags and text', () => {
    const json = '{"user":"a","password":"hunter22","tokenExpirationSeconds":"3600"}';
    expect(scrub(json)).toBe(`{"user":"a","password":"${REDACTED}","tokenExpirationSeconds":"3600"}`);
    expect(scrub('  password: hunter22')).toBe(`  password: ${REDACTED}`);
    expect(scrub('exec app --api-token=abc123 --token abc123 -v')).toBe(`exec app --api-token=${REDACTED} --token ${REDACTED} -v`);
    expect(scrub('"args":["--token","abc123","--port","80"]')).toBe(`"args":["--token","${REDACTED}","--port","80"]`);
    expect(scrub('GET /cb?access_token=abc123&x=1')).toBe(`GET /cb?access_token=${REDACTED}&x=1`);
    expect(scrub('DB_PASSWORD=hunter22 ./run')).toBe(`DB_PASSWORD=${REDACTED} ./run`);
    expect(scrub('the source went away: token=abc123')).toBe(`the source went away: token=${REDACTED}`);
    expect(scrub('run --opts token=abc123')).toBe(`run --opts token=${REDACTED}`);
  });

  it('removes the first-start setup code as the daemon logs it', () => {
    const line = 'first start: no admin exists yet. Setup code: KAJ4-YV6X-YK8T (also shown on the kiosk screen)';
    expect(scrub(line)).toBe(`first start: no admin exists yet. Setup code: ${REDACTED} (also shown on the kiosk screen)`);
  });

  it('leaves ordinary diagnostic text alone and is idempotent', () => {
    const lines = [
      '{"name":"MQTT_URL","value":"mqtt://mqtt-broker.messaging:1883"}',
      '{"secretKeyRef":{"name":"db-credentials","key":"password"}}',
      '2026-12-01T10:00:00Z level=info msg="poll cycle finished in 78 ms"',
      'Back-off restarting failed container bridge in pod opcua-bridge-abc',
    ];
    for (const line of lines) expect(scrub(line)).toBe(line);
    const once = scrub('password=x token: y {"secret":"z"} --token w');
    expect(scrub(once)).toBe(once);
  });
});
