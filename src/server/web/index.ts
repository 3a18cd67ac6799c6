import type { Logger } from 'pino';
import { readCredentials, type CertificateFiles } from '../certificate.js';
import { CONFIG_PATH, configFile } from './config-file.js';
import { defaultWebRoot, loadStaticFiles } from './static-files.js';
import { startWebListener, type TransportGate, type WebListener } from './web-listener.js';
import type { WebOptions } from './options.js';
import type { FileService } from '../files/file-service.js';

export { addWebOptions, webSettings, WEB_DEFAULTS, type WebOptions } from './options.js';
export { startWebListener, type TransportGate, type WebListener } from './web-listener.js';

export interface StartWebDeps {
  options: WebOptions & { host: string; heartbeatSeconds: number };
  log: Logger;
  /** The server's way in for every transport (PapoServer). */
  gate: TransportGate;
  /** With TLS on: the same certificate serves HTTPS and WSS. */
  tlsFiles: CertificateFiles | null;
  /** Where the built app is (default: `dist/web`). */
  webRoot?: string;
  /** File transfer (#14): routed on this port, told the listener's URL. */
  files?: FileService;
}

/**
 * Starts the browser UI's listener unless `--no-web`; throws a sentence the CLI can print when
 * the app was not built or the port cannot be bound.
 */
export async function startWeb(deps: StartWebDeps): Promise<WebListener | null> {
  const { options, log } = deps;
  if (!options.web) return null;
  const root = deps.webRoot ?? defaultWebRoot();
  if (root === null) throw new Error('the browser UI is not built (run `npm run build`), or use --no-web');
  const credentials = deps.tlsFiles ? readCredentials(deps.tlsFiles) : null;
  const files = loadStaticFiles(root);
  files.set(CONFIG_PATH, configFile({ tls: credentials ? { fingerprint: credentials.fingerprint } : null }));
  const listener = await startWebListener({
    files,
    host: options.host,
    port: options.webPort,
    tls: credentials ? { cert: credentials.cert, key: credentials.key, minVersion: 'TLSv1.2' } : null,
    extraOrigins: options.webOrigins,
    trustProxy: options.trustProxy,
    heartbeatSeconds: options.heartbeatSeconds,
    log,
    gate: deps.gate,
    fileRoutes: deps.files,
  });
  deps.files?.useListenerUrl(listener.url);
  log.info({ url: listener.url }, 'web listening');
  return listener;
}
