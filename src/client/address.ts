/** Where `papo client` connects when no address is given. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 65432;

export interface ServerAddress {
  host: string;
  port: number;
}

/**
 * Parses `HOST`, `HOST:PORT`, `:PORT`, `[IPV6]:PORT` or a bare IPv6 address; a missing part
 * takes its default (`defaultPort`: 65433 for TLS). Returns an Error that says what is wrong.
 */
export function parseAddress(text: string | undefined, defaultPort = DEFAULT_PORT): ServerAddress | Error {
  const s = (text ?? '').trim();
  if (s === '') return { host: DEFAULT_HOST, port: defaultPort };
  let host = s;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(s);
  if (bracketed) {
    host = bracketed[1] as string;
    port = bracketed[2];
  } else if (s.indexOf(':') === s.lastIndexOf(':')) {
    const i = s.indexOf(':');
    if (i !== -1) {
      host = s.slice(0, i);
      port = s.slice(i + 1);
    }
  } // else: several colons and no brackets, a bare IPv6 address
  if (host === '') host = DEFAULT_HOST;
  if (port === undefined) return { host, port: defaultPort };
  const n = Number(port);
  if (!/^\d{1,5}$/.test(port) || n < 1 || n > 65535) {
    return new Error(`invalid port "${port}": expected a number from 1 to 65535`);
  }
  return { host, port: n };
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatAddress(a: ServerAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
