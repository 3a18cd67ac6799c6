import type { HistoryRecord } from '../core/events.js';
import { SchemaError } from './schema.js';

/** A commit or a pruning step that failed at run time (disk full, I/O error). */
export interface StoreFailure {
  error: Error;
  /** A short reason for users and logs, e.g. `the disk is full`. */
  reason: string;
  /** Messages that were relayed live but could not be stored. */
  lost: HistoryRecord[];
}

/** The history database could not be opened; the message is one clear line for the CLI. */
export class HistoryOpenError extends Error {}

/** The SQLite error code of `err` (`SQLITE_FULL`, ...), or ''. */
function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A short reason for a run-time failure. */
export function failureReason(err: unknown): string {
  const code = codeOf(err);
  if (code.startsWith('SQLITE_FULL')) return 'the disk is full';
  const message = messageOf(err);
  return code ? `${code}: ${message}` : message;
}

/** One clear line saying why the database at `file` cannot be used, and what to do. */
export function openFailureLine(file: string, err: unknown): string {
  const code = codeOf(err);
  const message = messageOf(err);
  if (err instanceof SchemaError) return `the history database ${file} cannot be used: ${message}`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return `the history database ${file} is locked: another papo server (or another program) is using it; stop it or use another --data-dir`;
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT'))
    return `the history database ${file} is damaged or not an SQLite database (${message}); move it away to start a new history, or use --no-history`;
  if (code.startsWith('SQLITE_FULL'))
    return `the history database ${file} cannot grow: the disk is full; free some space or use --no-history`;
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_PERM') ||
    code.startsWith('SQLITE_AUTH')
  )
    return `cannot write the history database ${file} (${message}); check the permissions of the data directory (--data-dir), or use --no-history`;
  return `cannot open the history database ${file}: ${code ? `${code}: ` : ''}${message}`;
}

/** One clear line saying the history journal (next to the database) cannot be used. */
export function journalFailureLine(err: unknown): string {
  const message = messageOf(err);
  return `cannot use the history journal (${message}); check the permissions of the data directory (--data-dir), or use --no-history`;
}
