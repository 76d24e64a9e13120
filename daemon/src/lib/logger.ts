// pino JSON logs to stdout (journald keeps them); one child logger per module; secrets redacted.
import { pino, type Logger, type LevelWithSilent } from 'pino';
import type { LogRing } from './log-ring.ts';

export type { Logger };

export const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'csrfToken',
  '*.csrfToken',
  'setupCode',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
];

/** `recent`: also keep the lines in this ring (the support bundle reads it); redaction applies to both. */
export function createLogger(level: LevelWithSilent, destination?: pino.DestinationStream, recent?: LogRing): Logger {
  const out = destination ?? pino.destination({ fd: 1, sync: false });
  return pino(
    {
      level,
      base: { service: 'outpost' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    recent ? tee(out, recent) : out,
  );
}

/** Writes every line to `out` and to the ring; flushing flushes `out` (the ring holds nothing back). */
function tee(out: pino.DestinationStream, recent: LogRing): pino.DestinationStream {
  const flushable = out as pino.DestinationStream & { flush?: (cb: (error?: Error) => void) => void };
  return {
    write(line: string) {
      recent.write(line);
      return out.write(line);
    },
    flush(cb: (error?: Error) => void) {
      if (typeof flushable.flush === 'function') flushable.flush(cb);
      else cb();
    },
  } as pino.DestinationStream;
}
