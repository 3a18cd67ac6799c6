import type { DecodedLine } from '../protocol/line-decoder.js';

/** What a transport tells the connection that owns it. */
export interface TransportHandler {
  /** One line from the client: a decoded text line (TCP, TLS) or one text frame (WebSocket). */
  onTransportLine(line: DecodedLine): void;
  /** The client finished sending; output may still be written. */
  onTransportEnd(): void;
  /** The transport is gone (closed, reset or destroyed); called once. */
  onTransportClose(): void;
  onTransportError(err: Error): void;
}

/**
 * The transport port: a message-oriented connection to one client, whatever carries it (TCP,
 * TLS, WebSocket). A server `Connection` talks only to this; each adapter owns its framing
 * (`LineDecoder` for byte streams, frames for WebSocket). Output is whole encoded lines, each
 * ending in `\n`; a message-framed adapter sends each line as one message.
 */
export interface Transport {
  /** The client's address, as limits count connections per address. */
  readonly remoteAddress: string;
  /** Over TLS terminated by papo: the fingerprint of the certificate the client was shown. */
  readonly tlsFingerprint?: string | null;
  /** True when the client speaks JSON from its first message (WebSocket): no plain prompt. */
  readonly jsonOnly: boolean;
  /** Starts reading; events go to `handler` from here on. */
  start(handler: TransportHandler): void;
  /** Longest line the client may send, in bytes (longer ones arrive as `too_long`). */
  setLineLimit(bytes: number): void;
  /** Queues whole lines for the client. */
  write(chunk: Uint8Array): void;
  /** Bytes accepted by `write` that the client has not taken yet. */
  readonly bufferedBytes: number;
  /** Stops and restarts reading (flood control). */
  pause(): void;
  resume(): void;
  /** Ends the connection after what was written. */
  end(): void;
  /** Cuts the connection at once. */
  destroy(): void;
}
