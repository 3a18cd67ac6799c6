export {
  SqliteHistory,
  HistoryOpenError,
  failureReason,
  INDEX_BATCH_ROWS,
  PRUNE_BATCH_ROWS,
} from './sqlite-history.js';
export type { SqliteHistoryOptions, StoreFailure } from './sqlite-history.js';
export { ftsQuery, MAX_SEARCH_WORDS } from './fts-query.js';
export { migrate, MIGRATIONS, SCHEMA_VERSION, SchemaError } from './schema.js';
