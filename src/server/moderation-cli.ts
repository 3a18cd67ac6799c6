import { join } from 'node:path';
import type { Logger } from 'pino';
import { fail } from '../cli-util.js';
import type { Moderation } from '../core/moderation/index.js';
import { MODERATION_DB_FILE, openModeration } from './moderation-files.js';
import type { ServerOptions } from './options.js';

/**
 * Opens moderation's database in the data directory (kept with `--no-history` too), or exits with
 * one clear line (code 1) when it cannot. Closed when the process exits.
 */
export function openModerationOrFail(options: ServerOptions, log: Logger): Moderation {
  try {
    const opened = openModeration(options.dataDir, options.ops, (err) =>
      log.error({ err: err.message }, 'moderation: cannot append to the audit log'),
    );
    process.on('exit', () => opened.close());
    return opened.moderation;
  } catch (err) {
    fail(`cannot open ${join(options.dataDir, MODERATION_DB_FILE)}: ${(err as Error).message}`, err);
  }
}
