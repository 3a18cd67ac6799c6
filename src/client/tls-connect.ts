import { isIP } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { certificateFingerprint } from '../protocol/tls-fingerprint.js';
import type { KnownHostsFile } from './known-hosts.js';
import { ConnectError, NOT_TLS } from './transport.js';
import {
  changedText,
  decideTrust,
  firstUseText,
  mismatchText,
  unknownInPipeText,
  type TrustDecision,
} from './tls-trust.js';

/** Default port of papo's TLS listener. */
export const DEFAULT_TLS_PORT = 65433;

/** Codes of refusals that retrying will not cure: a person has to act. */
export const TRUST_ERROR_CODES = [
  'CERT_CHANGED',
  'CERT_MISMATCH',
  'CERT_UNKNOWN',
  'CERT_REJECTED',
  'KNOWN_HOSTS_UNUSABLE',
  // A plain-text server: the same port will answer in plain text next time too.
  NOT_TLS,
] as const;

/**
 * OpenSSL's errors for a server whose first bytes are not a TLS record (a plain-text greeting
 * such as papo's `*** papo ...`).
 */
const PLAIN_ANSWER_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']);
export type TrustErrorCode = (typeof TRUST_ERROR_CODES)[number];

/**
 * A TLS connection that did not happen: `code` is a system code (ECONNREFUSED, ETIMEDOUT, a TLS
 * error code) or a TrustErrorCode, which makes it `final`; `message` is what to show, possibly
 * several lines.
 */
export class TlsConnectError extends ConnectError {
  constructor(code: string, message: string) {
    super(code, message, (TRUST_ERROR_CODES as readonly string[]).includes(code));
    this.name = 'TlsConnectError';
  }

  /** Whether trying again later may work (a network failure), as opposed to a trust refusal. */
  get isRetryable(): boolean {
    return !this.final;
  }
}

export interface TlsConnectOptions {
  host: string;
  port: number;
  knownHosts: KnownHostsFile;
  /** `--fingerprint`, canonical (see parseFingerprint), or null. */
  fingerprint: string | null;
  /**
   * Shows `text` to a person and asks whether to trust a server seen for the first time;
   * null when nobody can be asked (pipe mode), which refuses such servers.
   */
  ask: ((text: string) => Promise<boolean>) | null;
  /** The command line that connects trusting `fingerprint` on purpose, shown in refusals. */
  acceptCommand(fingerprint: string): string;
  /** CA certificates to trust instead of the system's (tests); NODE_EXTRA_CA_CERTS adds to those. */
  ca?: string | string[];
  /** Milliseconds to wait for the TCP connect and the handshake together. */
  timeoutMs?: number;
}

function serverName(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Dials and completes the handshake; the certificate is judged afterwards, by decideTrust. */
function handshake(o: TlsConnectOptions): Promise<TLSSocket> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: o.host,
      port: o.port,
      // SNI takes names only; an IP address is checked against the certificate's IP entries.
      servername: isIP(o.host) ? undefined : o.host,
      ca: o.ca,
      minVersion: 'TLSv1.2',
      // Verification is not skipped: socket.authorized still reports the CA check, and an
      // unvouched certificate is then held to known_hosts or --fingerprint (decideTrust).
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TlsConnectError('ETIMEDOUT', `no TLS handshake within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onError = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const code = err.code ?? 'EUNKNOWN';
      reject(new TlsConnectError(PLAIN_ANSWER_CODES.has(code) ? NOT_TLS : code, err.message));
    };
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/**
 * Whether `host:port` completes a TLS handshake (any certificate: it only asks what the port
 * speaks, and sends nothing over the connection); false on any failure or after `timeoutMs`.
 */
export function speaksTls(host: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port,
      servername: isIP(host) ? undefined : host,
      rejectUnauthorized: false,
    });
    const done = (tls: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(tls);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
    socket.once('secureConnect', () => done(true));
  });
}

/**
 * Connects over TLS and decides whether to trust the server as OpenSSH does: a CA-signed
 * certificate is accepted, a self-signed one is trusted on first use (asked, or named by
 * `--fingerprint`) and pinned in known_hosts, and a changed one is refused. Resolves with a
 * socket that has not read or written a byte of chat yet (with a no-op 'error' listener: add
 * yours); rejects with a TlsConnectError.
 */
export async function connectTls(o: TlsConnectOptions): Promise<TLSSocket> {
  const socket = await handshake(o);
  const server = serverName(o.host, o.port);
  // A reset while a person thinks (or before the caller adds its listeners) must not crash the
  // process; the caller learns of it from 'close', which always follows.
  socket.on('error', () => {});
  const refuse = (code: TrustErrorCode, message: string): never => {
    socket.destroy();
    throw new TlsConnectError(code, message);
  };
  const presented = certificateFingerprint(socket.getPeerCertificate().raw);
  const decision: TrustDecision = decideTrust({
    caVerified: socket.authorized,
    presented,
    known: knownHostsIo(socket, o, () => o.knownHosts.lookup(o.host, o.port)),
    expected: o.fingerprint,
  });
  const remember = () => knownHostsIo(socket, o, () => o.knownHosts.remember(o.host, o.port, presented));
  switch (decision.kind) {
    case 'accept':
      if (decision.remember) remember();
      return socket;
    case 'changed':
      return refuse(
        'CERT_CHANGED',
        changedText(server, decision.known, presented, o.knownHosts.path, o.acceptCommand(presented)),
      );
    case 'mismatch':
      return refuse('CERT_MISMATCH', mismatchText(server, decision.expected, presented));
    case 'ask': {
      if (o.ask === null) {
        return refuse('CERT_UNKNOWN', unknownInPipeText(server, presented, o.acceptCommand(presented)));
      }
      const caError = socket.authorizationError ? String(socket.authorizationError) : null;
      const yes = await o.ask(firstUseText(server, presented, caError));
      if (!yes) return refuse('CERT_REJECTED', `Not trusted; not connecting to ${server}.`);
      if (socket.destroyed) {
        throw new TlsConnectError('ECONNRESET', `${server} closed the connection while you decided`);
      }
      remember();
      return socket;
    }
  }
}

/** Runs a known_hosts read or write; a failure closes the socket and says which file. */
function knownHostsIo<T>(socket: TLSSocket, o: TlsConnectOptions, io: () => T): T {
  try {
    return io();
  } catch (err) {
    socket.destroy();
    throw new TlsConnectError(
      'KNOWN_HOSTS_UNUSABLE',
      `cannot use ${o.knownHosts.path}: ${(err as Error).message}`,
    );
  }
}
