import pino, { type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Structured JSON logs on stderr; stdout is kept for the `listening on` line. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { name: 'papo' } }, pino.destination({ fd: 2, sync: true }));
}
