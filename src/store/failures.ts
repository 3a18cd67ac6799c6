import { SchemaError } from './schema.js';

/** A message the store could not take: whose it is, so the server can tell its sender. */
export interface LostMessage {
  id: number;
  from: string;
  /** The room's display name. */
  room: string;
}

/**
 * What went wrong at run time (disk full, I/O error), and what became of the messages. `reason`
 * is short, for users and logs (`the disk is full`). Only `not_journaled` loses messages.
 */
export type StoreFailure =
  /**
   * The journal write failed: `lost` were relayed this turn but are neither stored nor safe, so
   * they must not be acknowledged. Told from inside `flush()`, before the turn's output is
   * written (the server runs it first), so their acks can be held back.
   */
  | { kind: 'not_journaled'; error: Error; reason: string; lost: LostMessage[] }
  /**
   * A commit failed; the `waiting` messages stay in the journal (and in the worker's memory) and
   * are committed again every `retryMs` or so until it works: nothing is lost, even by a kill.
   * Told when it starts, then again every minute while it lasts.
   */
  | { kind: 'delayed'; error: Error; reason: string; waiting: number; retryMs: number }
  /** Commits work again after `delayed`: everything waiting is stored (`stored` messages). */
  | { kind: 'resumed'; reason: string; stored: number; delayedMs: number }
  /**
   * The history worker stopped: reads beyond the messages in memory answer "unavailable"; the
   * journal, no longer emptied, keeps every message for the next start.
   */
  | { kind: 'stopped'; error: Error; reason: string }
  /** Background upkeep failed (indexing, retention, syncing to disk); it is tried again later. */
  | { kind: 'upkeep'; error: Error; reason: string };

/** The history database could not be opened; the message is one clear line for the CLI. */
export class HistoryOpenError extends Error {}

/**
 * The database file is empty but the files beside it (named in the message) show it held a
 * history (#18).
 */
export class EmptiedDatabaseError extends Error {}

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
  if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC' || code === 'EDQUOT') return 'the disk is full';
  const message = messageOf(err);
  return code ? `${code}: ${message}` : message;
}

/** One clear line saying why the database at `file` cannot be used, and what to do. */
export function openFailureLine(file: string, err: unknown): string {
  const code = codeOf(err);
  const message = messageOf(err);
  if (err instanceof SchemaError) return `the history database ${file} cannot be used: ${message}`;
  if (err instanceof EmptiedDatabaseError)
    return `the history database ${file} is empty (0 bytes) but ${message} beside it show it held a history: it was truncated or damaged; restore it from a backup, or move it and its journal files away to start a new history (event ids start again from 1), or use --no-history`;
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
