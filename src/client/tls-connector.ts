import { createInterface } from 'node:readline/promises';
import { formatAddress, type ServerAddress } from './address.js';
import type { KnownHostsFile } from './known-hosts.js';
import { wrapText } from './styled.js';
import { connectTls, TlsConnectError, type TlsConnectOptions } from './tls-connect.js';
import { FIRST_USE_QUESTION, isYes } from './tls-trust.js';
import type { Connector } from './transport.js';

/** What `papo client --tls` needs to reach and judge a server. */
export interface TlsClientSetup {
  address: ServerAddress;
  /** `--fingerprint`, canonical, or null. */
  fingerprint: string | null;
  knownHosts: KnownHostsFile;
  /** Where to ask about a server seen for the first time; null in pipe mode (never asks). */
  terminal: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream } | null;
  /** CA certificates to trust instead of the system's (tests). */
  ca?: string;
  timeoutMs?: number;
}

/** Shows the first-use text on a terminal and reads a yes or no (line mode, before the chat UI). */
export function terminalAsk(terminal: NonNullable<TlsClientSetup['terminal']>) {
  return async (text: string): Promise<boolean> => {
    // Broken between words at the terminal's width: a fingerprint to compare must not be cut
    // at whatever column the terminal happens to end (issue #17).
    const columns = (terminal.output as { columns?: number }).columns;
    terminal.output.write(`${columns ? wrapText(text, columns) : text}\n`);
    const rl = createInterface({ input: terminal.input, output: terminal.output });
    try {
      return isYes(await rl.question(FIRST_USE_QUESTION));
    } catch {
      return false; // end of input (Ctrl-D) is a no
    } finally {
      rl.close();
    }
  };
}

/**
 * Connects once, now, so that a question about the certificate is asked before the chat UI takes
 * the terminal, and a refusal ends the run before it starts (rejects with a final
 * TlsConnectError; a network error is left for the session to report and retry). Resolves with
 * a Connector that hands out that first connection, then reconnects without ever asking: after
 * the first connection the server is pinned, so a different certificate later is refused.
 */
export async function prepareTlsConnector(setup: TlsClientSetup): Promise<Connector> {
  const base: Omit<TlsConnectOptions, 'ask'> = {
    host: setup.address.host,
    port: setup.address.port,
    knownHosts: setup.knownHosts,
    fingerprint: setup.fingerprint,
    acceptCommand: (fp) => `papo client --tls ${formatAddress(setup.address)} --fingerprint ${fp}`,
    ca: setup.ca,
    timeoutMs: setup.timeoutMs,
  };
  const ask = setup.terminal ? terminalAsk(setup.terminal) : null;
  let first: Promise<Awaited<ReturnType<typeof connectTls>>> | null = connectTls({ ...base, ask });
  try {
    await first;
  } catch (err) {
    if (err instanceof TlsConnectError && err.final) throw err;
  }
  return () => {
    const pending = first;
    first = null;
    return pending ?? connectTls({ ...base, ask: null });
  };
}
