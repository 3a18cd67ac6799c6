import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { certificateFingerprint } from '../protocol/tls-fingerprint.js';
import { LineDecoder } from '../protocol/line-decoder.js';
import type { Transport, TransportHandler } from './transport.js';

/** The transport a socket belongs to. */
const TRANSPORT = Symbol('papo.transport');
type OwnedSocket = Socket & { [TRANSPORT]?: TcpTransport };

// One set of socket listeners for all connections (each finds its own through the socket), not
// a set of closures per connection: an idle connection's memory is mostly what it holds.
function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[TRANSPORT]?.onSocketData(chunk);
}
function onSocketEnd(this: OwnedSocket): void {
  this[TRANSPORT]?.handler?.onTransportEnd();
}
function onSocketError(this: OwnedSocket, err: Error): void {
  this[TRANSPORT]?.handler?.onTransportError(err);
}
function onSocketClose(this: OwnedSocket): void {
  this[TRANSPORT]?.handler?.onTransportClose();
}

/**
 * The error listener a socket gets when it is accepted, until a transport's own takes over (a
 * refused socket, or one still in its TLS handshake, can race a reset).
 */
export function ignoreError(): void {}

/** Options every TCP (and TLS) transport shares. */
export interface TcpTransportOptions {
  /** Idle seconds before TCP keepalive probes look for a dead peer. */
  keepaliveSeconds: number;
  /** Longest line before the client has chosen a format. */
  firstLineBytes: number;
}

/**
 * The transport port over a TCP or TLS socket: bytes in, split into lines by a bounded
 * `LineDecoder` (an over-long line is counted, not kept); whole lines out.
 */
export class TcpTransport implements Transport {
  readonly jsonOnly = false;
  readonly remoteAddress: string;
  handler: TransportHandler | null = null;
  private readonly decoder: LineDecoder;

  constructor(
    private readonly socket: Socket,
    private readonly options: TcpTransportOptions,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.decoder = new LineDecoder(options.firstLineBytes);
  }

  /** Over TLS: the fingerprint of the certificate this client was shown (key logins sign it). */
  get tlsFingerprint(): string | null {
    if (!(this.socket instanceof TLSSocket)) return null;
    const cert = this.socket.getCertificate();
    return cert && 'raw' in cert && cert.raw ? certificateFingerprint(cert.raw) : null;
  }

  start(handler: TransportHandler): void {
    this.handler = handler;
    const socket = this.socket as OwnedSocket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, this.options.keepaliveSeconds * 1000);
    socket[TRANSPORT] = this;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('error', onSocketError);
    // One listener, not a list of two: a list is 64 bytes more per idle connection.
    socket.removeListener('error', ignoreError);
    socket.on('close', onSocketClose);
  }

  onSocketData(chunk: Buffer): void {
    const handler = this.handler;
    if (!handler) return;
    for (const line of this.decoder.push(chunk)) handler.onTransportLine(line);
  }

  setLineLimit(bytes: number): void {
    this.decoder.setLimit(bytes);
  }

  write(chunk: Uint8Array): void {
    this.socket.write(chunk);
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
