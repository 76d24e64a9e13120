// `logs:<namespace>/<pod>/<container>` feed topics: the last lines of one container, then new
// lines as they come; `ended` when the stream stops for good (the pod went away). Pure.

export const LOGS_TOPIC_PREFIX = 'logs:';
export const LOG_BUFFER_LINES = 500;
export const LOG_LINE_MAX_CHARS = 4096;
/** The most lines the log download route returns. */
export const MAX_DOWNLOAD_LINES = 10_000;

export interface LogsState {
  namespace: string;
  pod: string;
  container: string;
  /** The last lines (at most LOG_BUFFER_LINES). */
  lines: string[];
  /** When the kubelet stamped each line (Unix ms, parallel to `lines`); null where unknown. Absent from older daemons. */
  times?: (number | null)[];
  /** How many lines came in total; lines[0] is line number total - lines.length + 1. */
  total: number;
  ended: boolean;
  endReason: string | null;
  error: string | null;
}

export type LogsEvent =
  | { kind: 'logs.lines.v1'; lines: string[]; times?: (number | null)[] }
  | { kind: 'logs.ended.v1'; reason: string }
  | { kind: 'logs.error.v1'; message: string };

export interface LogsTarget {
  namespace: string;
  pod: string;
  container: string;
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function logsTopicName(target: LogsTarget): string {
  return `${LOGS_TOPIC_PREFIX}${target.namespace}/${target.pod}/${target.container}`;
}

/** The target of a `logs:` topic name, or null when the name is malformed. */
export function parseLogsTopic(name: string): LogsTarget | null {
  if (!name.startsWith(LOGS_TOPIC_PREFIX)) return null;
  const parts = name.slice(LOGS_TOPIC_PREFIX.length).split('/');
  if (parts.length !== 3) return null;
  const [namespace, pod, container] = parts as [string, string, string];
  if (![namespace, pod, container].every((p) => NAME.test(p))) return null;
  return { namespace, pod, container };
}

export function initialLogsState(target: LogsTarget): LogsState {
  return { ...target, lines: [], times: [], total: 0, ended: false, endReason: null, error: null };
}

export function reduceLogs(state: LogsState, event: LogsEvent): LogsState {
  switch (event.kind) {
    case 'logs.lines.v1': {
      const lines = event.lines.map((l) => (l.length > LOG_LINE_MAX_CHARS ? `${l.slice(0, LOG_LINE_MAX_CHARS)}…` : l));
      const all = state.lines.concat(lines);
      const times = (state.times ?? state.lines.map(() => null)).concat(lines.map((_, i) => event.times?.[i] ?? null));
      const cut = Math.max(0, all.length - LOG_BUFFER_LINES);
      return { ...state, lines: all.slice(cut), times: times.slice(cut), total: state.total + lines.length, error: null };
    }
    case 'logs.ended.v1':
      return { ...state, ended: true, endReason: event.reason };
    case 'logs.error.v1':
      return { ...state, error: event.message };
  }
}
