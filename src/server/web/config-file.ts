import { createHash } from 'node:crypto';
import type { PageConfig } from '../../protocol/page-config.js';
import type { StaticFile } from './static-files.js';

/** Where the page reads what it shows about the server (no inline script: CSP). */
export const CONFIG_PATH = '/config.json';

/** `/config.json` as one more file of the table the app is served from (never cached stale). */
export function configFile(config: PageConfig): StaticFile {
  const body = Buffer.from(`${JSON.stringify(config)}\n`, 'utf8');
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return {
    contentType: 'application/json',
    cacheControl: 'no-cache',
    identity: { body, etag },
  };
}
