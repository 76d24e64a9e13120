import { describe, expect, it } from 'vitest';
import { cachedIdentity, parseTimedatectlShow } from '../../../daemon/src/health/identity-adapter.ts';

describe('timedatectl show', () => {
  it('reads NTP synchronisation and the time zone', () => {
    const text = 'Timezone=Europe/Berlin\nLocalRTC=no\nCanNTP=yes\nNTP=yes\nNTPSynchronized=no\nTimeUSec=Thu 2026-11-26 15:00:00 CET\n';
    expect(parseTimedatectlShow(text)).toEqual({ synchronised: false, timezone: 'Europe/Berlin' });
    expect(parseTimedatectlShow('NTPSynchronized=yes\n').synchronised).toBe(true);
  });
  it('says unknown when the key is absent', () => {
    expect(parseTimedatectlShow('')).toEqual({ synchronised: null, timezone: null });
  });
});

describe('cached identity', () => {
  const identity = { hostname: 'a', os: 'x', kernel: 'k', arch: 'x64', model: null, serial: null };

  it('asks the slow probe once while the hostname and kernel stay the same', async () => {
    let calls = 0;
    let fp = 'a|k';
    const probe = cachedIdentity(async () => (calls++, identity), { fingerprint: () => fp, now: () => 0 });
    await probe();
    await probe();
    expect(calls).toBe(1);
    fp = 'b|k';
    await probe();
    expect(calls).toBe(2);
  });

  it('asks again once the cached answer is older than its maximum age', async () => {
    let calls = 0;
    let now = 0;
    const probe = cachedIdentity(async () => (calls++, identity), { fingerprint: () => 'same', now: () => now, maxAgeMs: 1000 });
    await probe();
    now = 1500;
    await probe();
    expect(calls).toBe(2);
  });
});
