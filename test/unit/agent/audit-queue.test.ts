// The web's audit writer when the agent runs apart (agent/audit-queue.ts): order kept, batches
// bounded, a bounded queue whose overflow is itself recorded, waiting out an absent agent,
// dropping (not retrying for ever) a batch the agent refuses, everything handed over at close.
import { describe, expect, it } from 'vitest';
import { AgentAuditQueue, agentUnavailable, MAX_AUDIT_BATCH } from '../../../daemon/src/agent/index.ts';
import type { AuditInput } from '../../../daemon/src/audit/index.ts';
import { createLogger } from '../../../daemon/src/lib/logger.ts';
import { OutpostError } from '../../../daemon/src/lib/errors.ts';

const log = createLogger('silent');
const record = (n: number): AuditInput => ({ actor: 'otto', role: 'operator', address: '10.0.0.7', action: 'session.login', target: `#${n}`, outcome: 'success' });

function fakeAgent() {
  const written: AuditInput[][] = [];
  let up = true;
  let wake: () => void = () => undefined;
  let refuseNext = false;
  return {
    written,
    setUp(value: boolean) {
      up = value;
      if (value) wake();
    },
    refuseNext() {
      refuseNext = true;
    },
    agent: {
      async auditAppend(records: AuditInput[]) {
        if (!up) throw agentUnavailable('test: away');
        if (refuseNext) {
          refuseNext = false;
          throw new OutpostError('validation_failed', 'test: refused');
        }
        written.push(records);
        return { appended: records.length, lastId: 0 };
      },
      whenUp: (signal: AbortSignal) => (up || signal.aborted ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve))),
    },
  };
}

describe('AgentAuditQueue', () => {
  it('hands records over in order, in batches of at most MAX_AUDIT_BATCH, with fields cut to the agent’s bounds', async () => {
    const fake = fakeAgent();
    const queue = new AgentAuditQueue({ agent: fake.agent, log });
    queue.appendAll(Array.from({ length: 300 }, (_, i) => record(i)));
    queue.append({ ...record(300), actor: 'x'.repeat(200), action: '' });
    await queue.close();
    const all = fake.written.flat();
    expect(all.map((r) => r.target)).toEqual(Array.from({ length: 301 }, (_, i) => `#${i}`));
    expect(Math.max(...fake.written.map((b) => b.length))).toBeLessThanOrEqual(MAX_AUDIT_BATCH);
    expect(all.at(-1)?.actor.length).toBeLessThanOrEqual(64);
    expect(all.at(-1)?.action).toBe('unnamed');
  });

  it('waits while the agent is away, and records how many it had to drop when its queue was full', async () => {
    const fake = fakeAgent();
    fake.setUp(false);
    const queue = new AgentAuditQueue({ agent: fake.agent, log, maxQueued: 10 });
    queue.appendAll(Array.from({ length: 15 }, (_, i) => record(i)));
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.written).toEqual([]);
    expect(queue.queued).toBe(10);
    fake.setUp(true);
    await queue.close();
    const all = fake.written.flat();
    expect(all.slice(0, 10).map((r) => r.target)).toEqual(Array.from({ length: 10 }, (_, i) => `#${i}`));
    expect(all[10]).toMatchObject({ action: 'audit.dropped', outcome: 'failure', detail: { count: 5 } });
    expect(all).toHaveLength(11);
  });

  it('drops a batch the agent refuses instead of retrying it for ever', async () => {
    const fake = fakeAgent();
    fake.refuseNext();
    const queue = new AgentAuditQueue({ agent: fake.agent, log });
    queue.append(record(1));
    await new Promise((r) => setTimeout(r, 10));
    queue.append(record(2));
    await queue.close();
    expect(fake.written.flat().map((r) => r.target)).toEqual(['#2']);
  });

  it('stops waiting at close after its deadline when the agent never comes back', async () => {
    const fake = fakeAgent();
    fake.setUp(false);
    const queue = new AgentAuditQueue({ agent: fake.agent, log });
    queue.append(record(1));
    const started = Date.now();
    await queue.close(100);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.written).toEqual([]);
  });
});
