import type { Readable } from 'node:stream';

/** The JSON log records in a server's stderr text so far. */
export function logRecords(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Waits until `stderr()` holds a log record with this message, re-reading it whenever `stream`
 * delivers data; fails after `ms` (a safety net).
 */
export async function waitForLog(
  stream: Readable,
  stderr: () => string,
  msg: string,
  ms = 5000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const record = logRecords(stderr()).find((r) => r.msg === msg);
    if (record) return record;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no log "${msg}" in ${stderr()}`);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stream.off('data', done);
        resolve();
      };
      const timer = setTimeout(done, left);
      stream.on('data', done);
    });
  }
}
