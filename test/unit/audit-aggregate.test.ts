import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditAggregator, type CountedEvent } from '../../daemon/src/audit/aggregate.ts';
import type { AuditInput } from '../../daemon/src/audit/audit-log.ts';

const failed = (address: string, account: string, reason = 'wrong password'): CountedEvent => ({
  action: 'session.login',
  actor: 'anonymous',
  role: '-',
  address,
  outcome: 'failure',
  reason,
  account,
});

describe('counted audit events', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void vi.useRealTimers());

  it('writes one record per address and window with the count, reasons and accounts', () => {
    const written: AuditInput[] = [];
    const counted = new AuditAggregator((inputs) => written.push(...inputs), { windowMs: 60_000 });
    for (let i = 0; i < 500; i += 1) counted.count(failed('10.0.0.9', `user${i % 3}`, i % 5 === 0 ? 'throttled' : 'wrong password'));
    counted.count(failed('10.0.0.10', 'root'));
    vi.advanceTimersByTime(59_999);
    expect(written).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(written).toHaveLength(2);
    expect(written.find((w) => w.address === '10.0.0.9')).toMatchObject({
      action: 'session.login',
      outcome: 'failure',
      detail: { count: 500, reasons: { throttled: 100, 'wrong password': 400 }, accounts: ['user0', 'user1', 'user2'] },
    });
    counted.count(failed('10.0.0.9', 'user0'));
    vi.advanceTimersByTime(60_000);
    expect(written).toHaveLength(3);
    expect(written[2]!.detail).toMatchObject({ count: 1 });
  });

  it('bounds its open windows: past the limit, events fall into one overflow record per action', () => {
    const written: AuditInput[] = [];
    const counted = new AuditAggregator((inputs) => written.push(...inputs), { windowMs: 60_000, maxKeys: 10 });
    for (let i = 0; i < 5000; i += 1) counted.count(failed(`10.0.${i >> 8}.${i & 255}`, 'x'));
    expect(counted.open).toBe(11);
    counted.close();
    expect(written).toHaveLength(11);
    expect(written.find((w) => w.address === '*')).toMatchObject({ detail: { overflow: true, count: 4990 } });
    expect(counted.open).toBe(0);
  });

  it('reports a failed write instead of throwing from its timer', () => {
    const errors: unknown[] = [];
    const counted = new AuditAggregator(() => {
      throw new Error('database is locked');
    }, { windowMs: 1000, onError: (e) => errors.push(e) });
    counted.count(failed('10.0.0.1', 'a'));
    vi.advanceTimersByTime(1000);
    expect(errors).toHaveLength(1);
  });
});
