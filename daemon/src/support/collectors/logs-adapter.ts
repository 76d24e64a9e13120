// Collector (adapter): the daemon's own logs. On a device, journald keeps them: `journalctl` for
// the outpost units, with a deadline and the newest lines kept within the section's cap. In a
// checkout the daemon logs to its standard output, which nobody keeps: a running daemon also
// hands over its in-memory ring of recent lines (lib/log-ring.ts).
import { spawn } from 'node:child_process';
import type { Chunk, SupportCollector } from '../types.ts';

export interface JournalOptions {
  /** The journalctl binary (a test points it elsewhere). */
  command?: string;
  units?: readonly string[];
  /** journalctl --since (e.g. `-72h`). */
  since?: string;
  /** journalctl --lines: at most this many newest entries. */
  maxLines?: number;
  deadlineMs?: number;
}

export const OUTPOST_UNITS = ['outpost-web', 'outpost-agent'] as const;

/**
 * journalctl's output as chunks. Throws (on the first read) when it cannot run, and at the end when it
 * exited non-zero; stops the process when the consumer stops reading, the signal aborts or the deadline passes.
 */
export async function* journalChunks(options: JournalOptions, signal: AbortSignal): AsyncGenerator<Buffer> {
  const units = options.units ?? OUTPOST_UNITS;
  const deadlineMs = options.deadlineMs ?? 20_000;
  const args = [...units.flatMap((u) => ['-u', u]), '-o', 'short-iso', '--since', options.since ?? '-72h', '--lines', String(options.maxLines ?? 200_000)];
  args.push('--no-pager', '-q');
  const env = { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '' };
  const child = spawn(options.command ?? 'journalctl', args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const stop = () => child.kill('SIGKILL');
  const deadline = setTimeout(stop, deadlineMs);
  signal.addEventListener('abort', stop, { once: true });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString('utf8');
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('close', (code, sig) => resolve({ code, signal: sig })));
  try {
    const first = await Promise.race([spawnError, new Promise<'spawned'>((resolve) => child.once('spawn', () => resolve('spawned')))]);
    if (first instanceof Error) throw first;
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const end = await exited;
    if (end.code !== 0 && !signal.aborted) {
      const firstLine = stderr.trim().split('\n')[0] ?? '';
      const why = end.signal === 'SIGKILL' ? `stopped after its deadline of ${deadlineMs} ms` : `exited with ${end.code ?? end.signal}: ${firstLine}`;
      throw new Error(`journalctl ${why}`);
    }
  } finally {
    clearTimeout(deadline);
    signal.removeEventListener('abort', stop);
    if (child.exitCode === null && child.signalCode === null) stop();
  }
}

export interface DaemonLogsSource {
  /** Read the journal (on by default; a test may point `command` at a fake). */
  journal: JournalOptions | null;
  /** Who reads it: journalctl in this process by default; the web asks the privileged agent. */
  read?: (signal: AbortSignal) => AsyncIterable<Chunk>;
  /** The running daemon's recent log lines, oldest first; null from the CLI. */
  recent: (() => readonly string[]) | null;
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'journalctl is not installed on this machine';
  return (error as Error).message;
}

export function daemonLogsCollector(source: DaemonLogsSource): SupportCollector {
  return {
    section: 'logs',
    title: "Outpost's own logs: the journal of its units and the running daemon's recent lines",
    share: 0.33,
    deadlineMs: 40_000,
    async collect(out) {
      if (source.journal) {
        const chunks = (source.read ?? ((signal: AbortSignal) => journalChunks(source.journal!, signal)))(out.signal)[Symbol.asyncIterator]();
        let first: IteratorResult<Chunk> | null = null;
        let failure: string | null = null;
        try {
          first = await chunks.next();
        } catch (error) {
          failure = reasonOf(error);
        }
        if (failure !== null || !first) {
          out.note(`journal not available: ${failure ?? 'no answer'}`);
        } else if (first.done) {
          const why = 'in a checkout the daemon logs to its standard output; on a device this process may not be allowed to read the system journal';
          out.note(`journal: no entries for ${OUTPOST_UNITS.join(', ')} (${why})`);
        } else {
          const head = first.value;
          const rest = chunks;
          // With the ring to follow, the journal leaves it a share of the section.
          await out.add('journal.log', (async function* () {
            yield head;
            for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
          })(), { keep: 'tail', maxBytes: Math.floor(out.remaining * (source.recent ? 0.7 : 1)) });
        }
      } else out.note('journal not available: not read here');
      if (source.recent) {
        await out.add('daemon-recent.jsonl', source.recent().map((line) => `${line}\n`), { keep: 'tail' });
      } else out.skip('daemon-recent.jsonl', 'only a running daemon keeps its recent lines in memory (make the bundle from Settings to include them)');
    },
  };
}
