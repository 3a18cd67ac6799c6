import { join } from 'node:path';
import { Option } from 'commander';
import { intIn, fail } from '../cli-util.js';
import { MAX_HISTORY_PAGE } from '../core/history.js';
import { DEFAULT_TAIL_PER_ROOM, HistoryOpenError, SqliteHistory } from '../store/index.js';
import { DEFAULTS, type ServerOptions } from './options.js';

/** The history database's file name inside the data directory. */
export const HISTORY_FILE = 'papo.db';

type HistorySettings = Pick<
  ServerOptions,
  'history' | 'historyReplay' | 'historyMaxMessages' | 'historyMaxDays'
>;

/** `papo server` flags for message history, each also readable from a PAPO_* variable. */
export function historyOptions(): [Option, Option, Option, Option] {
  const d = DEFAULTS;
  return [
    new Option('--no-history', `keep no message history (otherwise kept in <data-dir>/${HISTORY_FILE})`).env(
      'PAPO_NO_HISTORY',
    ),
    new Option('--history-replay <n>', 'stored messages shown to a user who joins (0: none)')
      .env('PAPO_HISTORY_REPLAY')
      .default(d.historyReplay)
      .argParser(intIn(0, MAX_HISTORY_PAGE)),
    new Option('--history-max-messages <n>', 'keep at most this many messages (0: no limit)')
      .env('PAPO_HISTORY_MAX_MESSAGES')
      .default(d.historyMaxMessages)
      .argParser(intIn(0, Number.MAX_SAFE_INTEGER)),
    new Option('--history-max-days <days>', 'delete messages older than this many days (0: no limit)')
      .env('PAPO_HISTORY_MAX_DAYS')
      .default(d.historyMaxDays)
      .argParser(intIn(0, 100_000)),
  ];
}

/** The history settings from parsed flags. */
export function historySettings(o: Record<string, unknown>): HistorySettings {
  return {
    history: o.history !== false,
    historyReplay: o.historyReplay as number,
    historyMaxMessages: o.historyMaxMessages as number,
    historyMaxDays: o.historyMaxDays as number,
  };
}

/**
 * Opens the history database in the data directory and starts its upkeep, or exits with one
 * clear line (code 1) when the file is damaged, locked by another server or cannot be written.
 * Returns undefined with `--no-history`. The database is closed when the process exits.
 */
export function openHistory(options: ServerOptions): SqliteHistory | undefined {
  if (!options.history) return undefined;
  let store: SqliteHistory;
  try {
    store = SqliteHistory.open(join(options.dataDir, HISTORY_FILE), {
      defaultRoom: options.defaultRoom,
      maxMessages: options.historyMaxMessages,
      maxDays: options.historyMaxDays,
      // Every replay is answered from memory: each room keeps at least as many as one shows.
      tailPerRoom: Math.max(DEFAULT_TAIL_PER_ROOM, options.historyReplay),
    });
  } catch (err) {
    if (err instanceof HistoryOpenError) fail(err.message, err.cause ?? err);
    throw err;
  }
  store.startMaintenance();
  process.on('exit', () => store.close());
  return store;
}
