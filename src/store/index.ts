export { SqliteHistory, HistoryOpenError, failureReason, PRUNE_BATCH_ROWS } from './sqlite-history.js';
export type { SqliteHistoryOptions, StoreFailure } from './sqlite-history.js';
export { ftsQuery, MAX_SEARCH_WORDS } from './fts-query.js';
export { migrate, SCHEMA_VERSION, SchemaError } from './schema.js';
