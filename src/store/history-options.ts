import type { HistoryDbOptions } from './history-db.js';
import type { IndexPacing } from './index-pacer.js';

/**
 * Newest messages kept in memory per room unless told otherwise: a replay on entering a room (50
 * by default; the server asks for at least --history-replay) or a first `/history` page is
 * answered from them, without waiting for the worker.
 */
export const DEFAULT_TAIL_PER_ROOM = 64;

/**
 * Most messages kept in memory over all rooms unless told otherwise: ~10 MB with texts of 100
 * bytes, ~60 MB at the 1 KiB limit. Past it, the rooms written to least recently leave memory.
 */
export const DEFAULT_MAX_TAIL_RECORDS = 50_000;

/** The default room unless told otherwise (the server's `--default-room` default). */
export const DEFAULT_HISTORY_ROOM = '#geral';

export interface SqliteHistoryOptions extends HistoryDbOptions {
  /**
   * The server's default room (`--default-room`, default `#geral`). Messages stored before rooms
   * existed belong to the default room of the server that first opens the database after the
   * upgrade; they stay there if the default room changes later.
   */
  defaultRoom?: string;
  /**
   * How often the journal and the database's WAL are written to disk, in ms (default 1000): a
   * power cut loses at most about this much. The journal is emptied only past what is on disk.
   */
  syncIntervalMs?: number;
  /** Journal file size, in bytes, past which it switches to its other file (JOURNAL_ROTATE_BYTES). */
  journalRotateBytes?: number;
  /** How far the worker may fall behind, in ids (MAX_BACKLOG_IDS, worker-lag.ts). */
  maxBacklog?: number;
  /** When the full-text index is brought up to date, once upkeep runs (index-pacer.ts; tests shrink it). */
  indexPacing?: Partial<IndexPacing>;
  /** Newest messages kept in memory per room (DEFAULT_TAIL_PER_ROOM). */
  tailPerRoom?: number;
  /** Most messages kept in memory over all rooms (DEFAULT_MAX_TAIL_RECORDS). */
  maxTailRecords?: number;
  /** The time, in ms, for `maxDays` on reads (default `Date.now`). */
  now?: () => number;
}
