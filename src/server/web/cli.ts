import type { Logger } from 'pino';
import { fail } from '../../cli-util.js';
import type { CertificateFiles } from '../certificate.js';
import type { ServerOptions } from '../options.js';
import type { PapoServer } from '../server.js';
import { startWeb } from './index.js';

/**
 * Starts the browser UI for `papo server` and returns the line it prints on stdout
 * (`web listening on http://HOST:PORT/`), or null with `--no-web`. A port in use or an app
 * that was not built is one clear line and exit 1, like the other listeners.
 */
export async function startWebForCli(
  server: PapoServer,
  options: ServerOptions,
  log: Logger,
  tlsFiles: CertificateFiles | null,
): Promise<string | null> {
  try {
    const web = await startWeb({ options, log, tlsFiles, gate: server, files: server.files });
    return web === null ? null : `web listening on ${web.url}`;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EADDRINUSE' ? 'the address is already in use' : e.message;
    fail(`cannot serve the web UI on ${options.host} port ${options.webPort}: ${why}`, err);
  }
}
