import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServerAddress } from './address.js';

/**
 * Opens one connection to the server, resolving once it can carry bytes. The session knows
 * nothing else about the transport, so TLS (issue #5) plugs in as another Connector.
 */
export type Connector = () => Promise<Duplex>;

/** The code of a ConnectError for a server that answered a TLS handshake in plain text. */
export const NOT_TLS = 'NOT_TLS';

/** A connect failure with the system's error code (ECONNREFUSED, ENOTFOUND, ETIMEDOUT …). */
export class ConnectError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** A refusal retrying cannot cure (an untrusted TLS certificate): the session ends with it. */
    readonly final = false,
  ) {
    super(message);
  }
}

/** Plain TCP; gives up after `timeoutMs` without an answer. */
export function tcpConnector(address: ServerAddress, timeoutMs = 10_000): Connector {
  return () =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: address.host, port: address.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectError('ETIMEDOUT', `no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const onError = (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new ConnectError(err.code ?? 'EUNKNOWN', err.message));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        resolve(socket);
      });
    });
}
