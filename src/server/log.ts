import pino, { type DestinationStream, type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `json`: one JSON object per line, for log collectors; `pretty`: one readable line, for people. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

/** Fields every record has, shown in the line's fixed part or not at all. */
const FIXED = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname']);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v !== null && typeof v === 'object' && 'message' in v)
    return value((v as { message: unknown }).message);
  return JSON.stringify(v) ?? String(v);
}

/**
 * One pino JSON record as a line for people: `HH:MM:SS.mmm LEVEL message key=value …` in local
 * time, an error's stack (with `--debug`'s trace level or any logged `stack`) indented below.
 * A line that is not a record is passed through.
 */
export function prettyLine(json: string): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const d = new Date(typeof r.time === 'number' ? r.time : Date.now());
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const level = LEVEL_NAMES[r.level as number] ?? String(r.level);
  const fields = Object.entries(r)
    .filter(([k]) => !FIXED.has(k))
    .map(([k, v]) => `${k}=${value(v)}`);
  const stacks = Object.values(r).flatMap((v) =>
    v !== null && typeof v === 'object' && typeof (v as { stack?: unknown }).stack === 'string'
      ? [(v as { stack: string }).stack.replace(/^/gm, '    ')]
      : [],
  );
  const head = [time, level, typeof r.msg === 'string' ? r.msg : '', ...fields].filter((s) => s !== '');
  return [head.join(' '), ...stacks].join('\n') + '\n';
}

/** A pino destination that writes each record through prettyLine. */
function prettyDestination(out: DestinationStream): DestinationStream {
  return { write: (record: string) => out.write(prettyLine(record.replace(/\n$/, ''))) };
}

/**
 * Logs on stderr (stdout is kept for the `listening on` line): readable lines when stderr is a
 * terminal, JSON lines otherwise, unless `format` says which.
 */
export function createLogger(level: string, format?: LogFormat): Logger {
  const stderr = pino.destination({ fd: 2, sync: true });
  const chosen = format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  return pino({ level, base: { name: 'papo' } }, chosen === 'pretty' ? prettyDestination(stderr) : stderr);
}
