export { SqliteHistory } from './sqlite-history.js';
export type { SqliteHistoryOptions } from './sqlite-history.js';
export { HistoryOpenError, failureReason } from './failures.js';
export type { StoreFailure } from './failures.js';
export { INDEX_BATCH_ROWS, PRUNE_BATCH_ROWS, SEARCH_RANKED_MATCHES } from './history-db.js';
export { ftsQuery, MAX_SEARCH_WORDS } from './fts-query.js';
export { migrate, MIGRATIONS, SCHEMA_VERSION, SchemaError } from './schema.js';
