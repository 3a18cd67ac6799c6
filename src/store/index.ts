export {
  DEFAULT_HISTORY_ROOM,
  DEFAULT_MAX_TAIL_RECORDS,
  DEFAULT_TAIL_PER_ROOM,
  SqliteHistory,
} from './sqlite-history.js';
export type { SqliteHistoryOptions } from './sqlite-history.js';
export { HistoryOpenError, failureReason } from './failures.js';
export type { LostMessage, StoreFailure } from './failures.js';
export { INDEX_BATCH_ROWS, PRUNE_BATCH_ROWS } from './history-db.js';
export { SEARCH_RANKED_MATCHES } from './history-sql.js';
export { ftsQuery, MAX_SEARCH_WORDS } from './fts-query.js';
export { migrate, MIGRATIONS, SCHEMA_VERSION, SchemaError } from './schema.js';
export { SqliteModerationStore } from './moderation-db.js';
