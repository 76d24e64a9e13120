import { describe, expect, it } from 'vitest';
import { parseTimedatectlShow } from '../../../daemon/src/health/identity-adapter.ts';

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
