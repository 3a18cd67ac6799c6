import { InvalidArgumentError, Option, type Command } from 'commander';
import { intIn } from '../../cli-util.js';

/** What `papo server` is told about the browser UI (docs/WEB.md). */
export interface WebOptions {
  /** Whether the web app and its WebSocket are served (`--no-web` turns them off). */
  web: boolean;
  /** HTTP(S) port of the web app (0 picks a free one). */
  webPort: number;
  /** Origins allowed to open a WebSocket besides the page's own (`https://chat.example`). */
  webOrigins: string[];
  /** Whether the client address is read from `X-Forwarded-For` (behind a reverse proxy). */
  trustProxy: boolean;
}

export const WEB_DEFAULTS: WebOptions = {
  web: true,
  webPort: 8080,
  webOrigins: [],
  trustProxy: false,
};

/** Parses one origin as a browser sends it: scheme, host and port, nothing else. */
export function parseOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InvalidArgumentError(`expected an origin like https://chat.example.com, got ${value}`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search) {
    throw new InvalidArgumentError(`expected an origin like https://chat.example.com, got ${value}`);
  }
  return url.origin;
}

/** Commander parser: `--web-origin` may repeat, and its variable holds a comma-separated list. */
function collectOrigins(value: string, previous: string[] | undefined): string[] {
  const added = value
    .split(',')
    .filter((v) => v.trim() !== '')
    .map(parseOrigin);
  return [...(previous ?? []), ...added];
}

/** Adds the web flags to `papo server`, each also readable from a PAPO_* variable. */
export function addWebOptions(command: Command): Command {
  const d = WEB_DEFAULTS;
  return command
    .addOption(
      new Option('--web-port <port>', 'port of the browser UI (0 picks a free one)')
        .env('PAPO_WEB_PORT')
        .default(d.webPort)
        .argParser(intIn(0, 65535)),
    )
    .addOption(new Option('--no-web', 'do not serve the browser UI').env('PAPO_NO_WEB'))
    .addOption(
      new Option('--web-origin <origin>', 'also accept WebSockets from this origin (repeatable)')
        .env('PAPO_WEB_ORIGIN')
        .argParser(collectOrigins),
    )
    .addOption(
      new Option('--trust-proxy', 'take the client address from X-Forwarded-For (behind a proxy)').env(
        'PAPO_TRUST_PROXY',
      ),
    );
}

/** The web options out of commander's parsed flags. */
export function webSettings(o: Record<string, unknown>): WebOptions {
  return {
    web: o.web !== false,
    webPort: o.webPort as number,
    webOrigins: (o.webOrigin as string[] | undefined) ?? [],
    trustProxy: Boolean(o.trustProxy),
  };
}
