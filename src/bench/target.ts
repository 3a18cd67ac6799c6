import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** Where `papo bench` connects. */
export interface Target {
  host: string;
  port: number;
}

export const DEFAULT_PORT = 65432;

/**
 * Parses `HOST`, `HOST:PORT`, `:PORT`, `PORT`, `[V6]` or `[V6]:PORT`; the host defaults to
 * 127.0.0.1 and the port to 65432. Returns an error sentence for anything else.
 */
export function parseTarget(spec: string | undefined): Target | string {
  const text = (spec ?? '').trim();
  if (text === '') return { host: '127.0.0.1', port: DEFAULT_PORT };
  let host = text;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) {
    host = v6[1] as string;
    portText = v6[2];
  } else if (/^\d+$/.test(text)) {
    host = '127.0.0.1';
    portText = text;
  } else if (isIP(text) === 6) {
    host = text;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon !== -1) {
      host = text.slice(0, colon) || '127.0.0.1';
      portText = text.slice(colon + 1);
    }
  }
  let port = DEFAULT_PORT;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
      return `not a port: ${JSON.stringify(portText)} (expected 1 to 65535)`;
    }
  }
  return { host, port };
}

/** Whether an IP address is a loopback one (127.0.0.0/8, ::1, or ::ffff:127.x). */
export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.toLowerCase().startsWith('::ffff:127.');
}

/**
 * Resolves the host and returns the address to use, or an error sentence when the host is not
 * on this machine and remote targets were not allowed (a load test is an attack on a stranger).
 */
export async function resolveTarget(target: Target, allowRemote: boolean): Promise<string> {
  let addresses: string[];
  try {
    addresses = (await lookup(target.host, { all: true })).map((a) => a.address);
  } catch (err) {
    throw new Error(`cannot resolve ${target.host}: ${(err as Error).message}`, { cause: err });
  }
  const first = addresses[0];
  if (first === undefined) throw new Error(`cannot resolve ${target.host}: no address`);
  if (!allowRemote && !addresses.every(isLoopbackAddress)) {
    throw new Error(
      `refusing to load-test ${target.host} (${addresses.join(', ')}): not a loopback address; ` +
        'pass --allow-remote to test a server you run elsewhere',
    );
  }
  return first;
}
