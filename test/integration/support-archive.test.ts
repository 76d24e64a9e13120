// The support bundle's archive writer with real files and streams: order, caps, notes, failing and
// hanging collectors, cancellation, the journal through a fake journalctl, writing to a folder.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  daemonLogsCollector, openSupportBundle, writeSupportBundleFile,
  type SupportBundleSpec, type SupportCollector,
} from '../../daemon/src/support/index.ts';
import { tempDir } from '../helpers/daemon.ts';
import { readBundle } from '../helpers/support-bundle.ts';

const dirs: string[] = [];
function dir(): string {
  const d = tempDir('outpost-support-');
  dirs.push(d);
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const never = new AbortController().signal;
const AT = new Date('2026-12-01T10:00:00Z');

function collector(section: string, share: number, collect: SupportCollector['collect'], deadlineMs?: number): SupportCollector {
  return { section, title: section, share, collect, deadlineMs };
}

function* noisyLines(count: number, prefix = 'line'): Generator<string> {
  // Random hex makes the data incompressible: the .tar.gz is then as large as it ever gets.
  for (let i = 0; i < count; i += 1) yield `${prefix} ${i} ${randomBytes(48).toString('hex')}\n`;
}

function spec(collectors: SupportCollector[], extra: Partial<SupportBundleSpec> = {}): SupportBundleSpec {
  return { collectors, maxBytes: 1 << 20, hostname: 'Edge Box 7', now: () => AT, spoolDir: dir(), ...extra };
}

describe('support bundle archive', () => {
  it('writes members in the collectors\' order, then the index and manifest, the same way every time', async () => {
    const collectors = [
      collector('b-first', 0.1, async (out) => {
        await out.json('z.json', { a: 1 });
        await out.add('a.txt', 'hello\n');
      }),
      collector('a-second', 0.1, async (out) => {
        await out.jsonLines('items.jsonl', [{ n: 1 }, { n: 2 }]);
      }),
    ];
    const runs = await Promise.all([1, 2].map(async () => {
      const file = await writeSupportBundleFile(path.join(dir(), 'b.tar.gz'), spec(collectors), never);
      return readBundle(file.path);
    }));
    const names = runs.map((r) => r.members.map((m) => `${m.top}/${m.path}`));
    expect(names[0]).toEqual([
      'outpost-support-edge-box-7-20261201T100000Z/b-first/z.json',
      'outpost-support-edge-box-7-20261201T100000Z/b-first/a.txt',
      'outpost-support-edge-box-7-20261201T100000Z/a-second/items.jsonl',
      'outpost-support-edge-box-7-20261201T100000Z/index.json',
      'outpost-support-edge-box-7-20261201T100000Z/MANIFEST.txt',
    ]);
    expect(names[1]).toEqual(names[0]);
    const bundle = runs[0]!;
    expect(bundle.members.every((m) => m.mode === 0o644 && m.mtime === AT.getTime())).toBe(true);
    expect(bundle.get('a-second/items.jsonl')?.text).toBe('{"n":1}\n{"n":2}\n');
    const index = bundle.json<{ sections: { section: string; outcome: string; members: { path: string }[] }[] }>('index.json');
    expect(index.sections.map((s) => [s.section, s.outcome])).toEqual([['b-first', 'complete'], ['a-second', 'complete']]);
  });

  it('stays under maxBytes (tar and .tar.gz) with incompressible data, cutting each section with a note', async () => {
    const collectors = [
      collector('oldest', 0.3, async (out) => out.add('head.log', noisyLines(100_000))),
      collector('newest', 0.3, async (out) => out.add('tail.log', noisyLines(100_000), { keep: 'tail' })),
      collector('many', 0.3, async (out) => {
        for (let i = 0; i < 200; i += 1) await out.add(`f${i}.log`, noisyLines(50, `f${i}`));
      }),
    ];
    const written = await writeSupportBundleFile(dir(), spec(collectors), never);
    const bundle = await readBundle(written.path);
    expect(written.fileBytes).toBeLessThanOrEqual(1 << 20);
    expect(bundle.tar.length).toBeLessThanOrEqual(1 << 20);
    expect(written.tarBytes).toBe(bundle.tar.length);
    const head = bundle.get('oldest/head.log')!.text.split('\n');
    expect(head[0]).toMatch(/^line 0 /);
    expect(head.at(-2)).toMatch(/^\[outpost\] this file was cut: reached its cap of \d+ bytes$/);
    const tail = bundle.get('newest/tail.log')!.text.split('\n');
    expect(tail[0]).toMatch(/^\[outpost\] this file was cut: \d+ bytes of older lines left out/);
    expect(tail[1]).toMatch(/^line \d+ [0-9a-f]{96}$/);
    expect(tail.at(-2)).toMatch(/^line 99999 /);
    type Index = { sections: { section: string; outcome: string; usedBytes: number; budgetBytes: number; skipped: { reason: string }[] }[] };
    const index = bundle.json<Index>('index.json');
    for (const s of index.sections) {
      expect(s.outcome).toBe('partial');
      expect(s.usedBytes).toBeLessThanOrEqual(s.budgetBytes);
    }
    expect(index.sections[2]!.skipped[0]!.reason).toMatch(/this section reached its cap/);
  }, 60_000);

  it('marks a failing collector\'s section failed and a hanging one timed out, keeps what they wrote, and finishes the bundle', async () => {
    const collectors = [
      collector('broken', 0.1, async (out) => {
        await out.add('before.txt', 'written before the failure\n');
        throw new Error('the source went away: token=abc123');
      }),
      collector('hung', 0.1, async (out) => {
        await out.add('partial.log', (async function* () {
          yield 'first line\n';
          await new Promise(() => undefined);
        })());
        await out.add('never.txt', 'not reached\n');
      }, 300),
      collector('after', 0.1, async (out) => out.add('ok.txt', 'fine\n')),
    ];
    const bundle = await readBundle((await writeSupportBundleFile(dir(), spec(collectors), never)).path);
    const index = bundle.json<{ sections: { section: string; outcome: string; notes: string[]; skipped: { path: string }[] }[] }>('index.json');
    expect(index.sections.map((s) => s.outcome)).toEqual(['failed', 'timed-out', 'complete']);
    expect(index.sections[0]!.notes[0]).toBe('the collector failed: the source went away: token=[redacted]');
    expect(bundle.get('broken/before.txt')?.text).toBe('written before the failure\n');
    expect(bundle.get('hung/partial.log')?.text).toBe('first line\n[outpost] this file was cut: the section reached its deadline while this was being read\n');
    expect(bundle.get('hung/never.txt')).toBeUndefined();
    expect(bundle.get('after/ok.txt')?.text).toBe('fine\n');
  });

  it('stops with an error when cancelled, and leaves no temp files', async () => {
    const spool = dir();
    const cancel = new AbortController();
    const endless = collector('endless', 0.5, async (out) => out.add('x.log', noisyLines(10_000_000), { keep: 'tail' }));
    const bundle = openSupportBundle(spec([endless], { spoolDir: spool, maxBytes: 64 << 20 }), cancel.signal);
    const reading = new Promise<Error | null>((resolve) => {
      bundle.stream.resume();
      bundle.stream.on('error', resolve);
      bundle.stream.on('end', () => resolve(null));
    });
    setTimeout(() => cancel.abort(new Error('stop now')), 300);
    await expect(bundle.done).rejects.toThrow(/stop now/);
    expect((await reading)?.message).toMatch(/stop now/);
    expect(readdirSync(spool)).toEqual([]);
  });

  it('writes into a folder under its own name, mode 0600, and leaves nothing behind when it cannot', async () => {
    const folder = dir();
    const written = await writeSupportBundleFile(folder, spec([collector('s', 0.1, async (out) => out.add('a.txt', 'a\n'))]), never);
    expect(path.dirname(written.path)).toBe(folder);
    expect(path.basename(written.path)).toBe('outpost-support-edge-box-7-20261201T100000Z.tar.gz');
    expect(statSync(written.path).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder)).toEqual([path.basename(written.path)]);
    await expect(writeSupportBundleFile(path.join(folder, 'missing', 'b.tar.gz'), spec([]), never)).rejects.toThrow(/ENOENT/);
    await expect(writeSupportBundleFile(written.path, spec([]), never)).rejects.toThrow(/already exists; name a new file or a folder/);
    expect(readdirSync(folder)).toEqual([path.basename(written.path)]);
    expect(statSync(written.path).size).toBe(written.fileBytes);
  });
});

describe('support bundle: the journal', () => {
  const make = async (collectors: SupportCollector[]) => readBundle((await writeSupportBundleFile(dir(), spec(collectors), never)).path);

  function fakeJournalctl(script: string): string {
    const bin = path.join(dir(), 'journalctl');
    writeFileSync(bin, `#!/bin/sh\n${script}\n`);
    chmodSync(bin, 0o755);
    return bin;
  }

  it('keeps the newest journal lines within the cap, scrubbed, with a note of what was left out', async () => {
    const entry = '2026-12-01T10:00:00+0000 box outpost[1]: entry $i password=hunter22';
    const command = fakeJournalctl(`i=0; while [ $i -lt 40000 ]; do echo "${entry}"; i=$((i+1)); done`);
    const bundle = await make([daemonLogsCollector({ journal: { command }, recent: () => ['{"msg":"recent"}'] })]);
    const journal = bundle.get('logs/journal.log')!.text.split('\n');
    expect(journal[0]).toMatch(/^\[outpost\] this file was cut: \d+ bytes of older lines left out/);
    expect(journal.at(-2)).toBe('2026-12-01T10:00:00+0000 box outpost[1]: entry 39999 password=[redacted]');
    expect(bundle.tar.includes('hunter22')).toBe(false);
    expect(bundle.get('logs/daemon-recent.jsonl')?.text).toBe('{"msg":"recent"}\n');
  }, 60_000);

  it('passes the units, format and bounds to journalctl', async () => {
    const command = fakeJournalctl('echo "args: $*"');
    const bundle = await make([daemonLogsCollector({ journal: { command, since: '-24h', maxLines: 10 }, recent: null })]);
    expect(bundle.get('logs/journal.log')?.text).toBe('args: -u outpost-web -u outpost-agent -o short-iso --since -24h --lines 10 --no-pager -q\n');
  });

  it('says "journal not available" when journalctl is missing or fails, and the bundle is still made', async () => {
    const failing = fakeJournalctl('echo "Failed to open journal: permission denied" >&2; exit 1');
    const cases = [
      [path.join(dir(), 'no-such-journalctl'), 'journalctl is not installed on this machine'],
      [failing, 'journalctl exited with 1: Failed to open journal: permission denied'],
    ] as const;
    for (const [command, reason] of cases) {
      const bundle = await make([daemonLogsCollector({ journal: { command }, recent: null })]);
      const logs = bundle.json<{ sections: { notes: string[]; skipped: { path: string; reason: string }[] }[] }>('index.json').sections[0]!;
      expect(logs.notes).toContain(`journal not available: ${reason}`);
      expect(bundle.get('logs/journal.log')).toBeUndefined();
    }
  });

  it('stops journalctl at its deadline and keeps what it printed', async () => {
    const command = fakeJournalctl('echo "early line"; exec sleep 30');
    mkdirSync(dir(), { recursive: true });
    const started = Date.now();
    const bundle = await make([daemonLogsCollector({ journal: { command, deadlineMs: 500 }, recent: null })]);
    expect(Date.now() - started).toBeLessThan(10_000);
    const note = '[outpost] this file was cut: reading it failed: journalctl stopped after its deadline of 500 ms';
    expect(bundle.get('logs/journal.log')?.text).toBe(`early line\n${note}\n`);
  });
});
