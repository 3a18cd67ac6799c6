import { join } from 'node:path';
import type { Logger } from 'pino';
import { FileService } from './file-service.js';
import type { FilesOptions } from './options.js';

export { FileService } from './file-service.js';
export type { FileLocator } from './locator.js';
export { addFilesOptions, filesSettings, FILES_DEFAULTS, type FilesOptions } from './options.js';

/** Where files are kept inside the data directory (metadata, bytes, partial uploads). */
export const FILES_DIR = 'files';

/**
 * Opens file transfer in `<data-dir>/files/` for `papo server`, or returns undefined when it
 * is off (`--no-files`, or `--no-web`: files travel on the web port). Works with or without
 * message history. The database is closed when the process exits.
 */
export async function openFiles(
  options: FilesOptions & { dataDir: string; web: boolean },
  log: Logger,
): Promise<FileService | undefined> {
  if (!options.files || !options.web) return undefined;
  const service = await FileService.open({ ...options, root: join(options.dataDir, FILES_DIR), log });
  process.on('exit', () => service.close());
  return service;
}
