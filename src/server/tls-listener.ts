import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Admission } from './admission.js';
import { readCredentials, type CertificateFiles, type Credentials } from './certificate.js';
import { ignoreError } from './tcp-transport.js';

/** Oldest TLS version papo accepts (issue #5: TLS 1.2 minimum). */
export const TLS_MIN_VERSION = 'TLSv1.2';

/** What a TLS listener needs: its certificate files and where finished handshakes go. */
export interface TlsListenerOptions {
  files: CertificateFiles;
  /** Milliseconds a client may take to finish the handshake before it is cut. */
  handshakeTimeoutMs: number;
  maxConnections: number;
  /** Counts each TCP connection in as it arrives, before its handshake, or refuses it. */
  admission: Admission;
  log: Logger;
  /** Receives every socket whose handshake succeeded: the same path as plain TCP sockets. */
  onConnection(socket: Socket): void;
}

/** A TLS server plus the fingerprint of the certificate it serves now. */
export interface TlsListener {
  /** The TCP server to bind and close: it admits each connection, then hands it to TLS. */
  server: Server;
  fingerprint: string;
  /** Re-reads the certificate files; on failure logs and keeps serving the old certificate. */
  reload(): { ok: true; fingerprint: string } | { ok: false; error: string };
}

/** Reads the files and checks that they make a usable context; throws naming the file at fault. */
function loadCredentials(files: CertificateFiles): Credentials {
  const credentials = readCredentials(files);
  try {
    createSecureContext({ cert: credentials.cert, key: credentials.key, minVersion: TLS_MIN_VERSION });
  } catch (err) {
    throw new Error(
      `the key ${files.keyPath} does not fit the certificate ${files.certPath}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return credentials;
}

/**
 * Creates (but does not bind) a TLS server. A failed or stalled handshake, or plain text sent
 * to it, costs one log line and that connection only; users already connected are untouched.
 * A connection over --max-clients or --max-per-ip is closed before its handshake, without a
 * word: it could not read a plain refusal, and a handshake is what the limits protect.
 */
export function createTlsListener(options: TlsListenerOptions): TlsListener {
  const { files, log } = options;
  const { cert, key, fingerprint } = loadCredentials(files);
  /** A client asked for a renegotiation: it is cut (Node would let the connection go on). */
  function onSecureSocketError(this: TLSSocket, err: NodeJS.ErrnoException): void {
    if (err.code !== 'ERR_TLS_RENEGOTIATION_DISABLED') return;
    log.info({ ip: this.remoteAddress, err: err.code }, 'TLS renegotiation refused; disconnecting');
    this.destroy();
  }
  const tls = createTlsServer(
    {
      cert,
      key,
      minVersion: TLS_MIN_VERSION,
      handshakeTimeout: options.handshakeTimeoutMs,
    },
    (socket: TLSSocket) => {
      // Each renegotiation costs the server a handshake's CPU, so a client may not start one
      // (#18). TLS 1.3 has none; under TLS 1.2 Node allows it, or after 3 in 10 minutes only
      // emits an error and goes on.
      socket.disableRenegotiation();
      socket.on('error', onSecureSocketError);
      // As on the plain listener: a client that half-closes (end of a piped script) still gets
      // the answers to what it sent, and its goodbye.
      socket.allowHalfOpen = true;
      options.onConnection(socket);
    },
  );
  tls.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    log.info({ ip: socket.remoteAddress, err: err.code ?? err.message }, 'TLS handshake failed');
    socket.destroy();
  });
  // papo accepts the TCP connections itself and hands them to the TLS server (Node's documented
  // way to inject one), so a connection counts toward the limits from the moment it is accepted,
  // not once its handshake is done: idle handshakes cannot pass --max-per-ip (#18).
  const server = createNetServer(
    {
      // The TLS socket takes this from the TCP one. Half-open during the handshake would leave a
      // socket whose peer hung up waiting for the handshake timeout, and hold up server.close();
      // it is allowed once the chat starts, above.
      allowHalfOpen: false,
      noDelay: true,
    },
    onTcpConnection,
  );
  function onTcpConnection(raw: Socket): void {
    raw.on('error', ignoreError);
    const refusal = options.admission.admit(raw);
    if (refusal === null) return void tls.emit('connection', raw);
    log.info({ ip: raw.remoteAddress, code: refusal.code, limit: refusal.limit }, 'TLS connection refused');
    raw.destroy();
  }
  server.maxConnections = options.maxConnections;
  const listener: TlsListener = {
    server,
    fingerprint,
    reload() {
      try {
        const next = loadCredentials(files);
        // Only new handshakes see the new certificate; open connections keep theirs.
        tls.setSecureContext({ cert: next.cert, key: next.key, minVersion: TLS_MIN_VERSION });
        listener.fingerprint = next.fingerprint;
        log.info({ fingerprint: next.fingerprint }, 'TLS certificate reloaded');
        return { ok: true, fingerprint: next.fingerprint };
      } catch (err) {
        const error = (err as Error).message;
        log.error({ err: error }, 'TLS certificate reload failed; still serving the previous one');
        return { ok: false, error };
      }
    },
  };
  return listener;
}
