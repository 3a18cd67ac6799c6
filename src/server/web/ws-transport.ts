import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { DecodedLine } from '../../protocol/line-decoder.js';
import type { Transport, TransportHandler } from '../transport.js';
import { textFrames } from './ws-frames.js';

const LF = 0x0a;
const CR = 0x0d;
/** Close code for a binary frame: papo speaks JSON text only (RFC 6455, 7.4.1). */
const UNSUPPORTED_DATA = 1003;
/** Close code of a refused connection: the server is full for now (IANA WebSocket registry). */
const TRY_AGAIN_LATER = 1013;

/** The transport a socket belongs to, found by the shared listeners below. */
const TRANSPORT = Symbol('papo.wsTransport');
type OwnedSocket = WebSocket & { [TRANSPORT]?: WsTransport };

// One set of listeners for every WebSocket (each finds its transport through the socket), as
// the TCP connection does: no closures per connection.
function onSocketMessage(this: OwnedSocket, data: Buffer, isBinary: boolean): void {
  this[TRANSPORT]?.onMessage(data, isBinary);
}
function onSocketClose(this: OwnedSocket): void {
  this[TRANSPORT]?.onClose();
}
function onSocketError(this: OwnedSocket, err: Error): void {
  this[TRANSPORT]?.onError(err);
}
function onSocketPong(this: OwnedSocket): void {
  const t = this[TRANSPORT];
  if (t) t.isAlive = true;
}

/**
 * The WebSocket adapter of the transport port: each incoming text frame is one line, each
 * output line goes out as one text frame (without its `\n`). Framing, UTF-8 validation and the
 * payload limit are the `ws` library's; flood control and the send queue stay the connection's.
 */
export class WsTransport implements Transport {
  readonly jsonOnly = true;
  /** Cleared before each WebSocket-level ping, set by the pong: a dead browser is found by it. */
  isAlive = true;
  private handler: TransportHandler | null = null;
  private lineLimit: number;
  private closed = false;

  constructor(
    /** Where the listener keeps its open transports (for pings and close): joined here, left on close. */
    private readonly registry: Set<WsTransport>,
    private readonly ws: OwnedSocket,
    /** The upgraded socket `ws` writes to: this writes a turn's frames to it at once. */
    private readonly socket: Duplex,
    readonly remoteAddress: string,
    lineLimit: number,
  ) {
    this.lineLimit = lineLimit;
    ws[TRANSPORT] = this;
    registry.add(this);
    ws.on('error', onSocketError);
    ws.on('close', onSocketClose);
    ws.on('pong', onSocketPong);
    // Nothing is read before the connection is ready for it.
    ws.pause();
  }

  start(handler: TransportHandler): void {
    this.handler = handler;
    this.ws.on('message', onSocketMessage);
    this.ws.resume();
    if (this.closed) handler.onTransportClose();
  }

  setLineLimit(bytes: number): void {
    this.lineLimit = bytes;
  }

  /**
   * Sends each `\n`-ended line of `chunk` as one text frame, all in one write to the socket
   * (`ws` writes nothing of its own in between: without compression its sender never queues);
   * empty lines are not sent, nor anything once the closing handshake has begun.
   */
  write(chunk: Uint8Array): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    const frames = textFrames(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (frames.length > 0) this.socket.write(frames);
  }

  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  end(): void {
    // Reading must go on for the client's closing frame to arrive (a refused transport was
    // never started, so it is still paused): else the close waits for the server's timeout.
    this.ws.resume();
    // A transport ended before it started was refused (server full, too many from the address):
    // "try again later" (RFC 6455, 7.4.1, 1013), after the JSON `error` saying why.
    if (this.handler === null) this.ws.close(TRY_AGAIN_LATER, 'refused');
    else this.ws.close(1000);
  }

  destroy(): void {
    this.ws.terminate();
  }

  /** Sends a WebSocket-level ping; `isAlive` says whether the last one was answered. */
  ping(): void {
    this.isAlive = false;
    this.ws.ping();
  }

  onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      this.ws.close(UNSUPPORTED_DATA, 'JSON text frames only');
      return;
    }
    // A frame is a whole line; one trailing newline, as a line-based sender would add, is dropped.
    let end = data.length;
    if (end > 0 && data[end - 1] === LF) end--;
    if (end > 0 && data[end - 1] === CR) end--;
    const line: DecodedLine =
      end > this.lineLimit
        ? { kind: 'too_long', bytes: end }
        : { kind: 'line', text: data.toString('utf8', 0, end), bytes: end };
    this.handler?.onTransportLine(line);
  }

  onError(err: Error): void {
    this.handler?.onTransportError(err);
  }

  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.registry.delete(this);
    this.handler?.onTransportClose();
  }
}
