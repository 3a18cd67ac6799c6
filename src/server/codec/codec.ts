import type { ClientAction, ErrorDetail, Ref } from '../../core/events.js';
import type { ErrorCode } from '../../core/errors.js';
import type { Session } from '../../core/session.js';
import type { DecodedLine } from '../../protocol/line-decoder.js';
import type { ServerMessage } from '../../protocol/json-messages.js';
import type { Format } from '../../protocol/render.js';
import type { Lang } from '../../protocol/texts.js';

/** What a codec needs from the connection it reads for. */
export interface CodecHost {
  readonly session: Session;
  lang: Lang;
  /** True once the JSON `hello` has been answered. */
  greeted: boolean;
  /** A plain user sent a password: the answer's error (if any) is followed by the name prompt. */
  awaitingLogin: boolean;
  /** True when the next plain line is a password (the hub asked for one). */
  awaitsPassword(): boolean;
  readonly version: string;
  readonly heartbeatSeconds: number;
  readonly defaultRoom: string;
  act(action: ClientAction): void;
  sendError(code: ErrorCode, detail: ErrorDetail, ref?: Ref): void;
  writeRaw(text: string): void;
  writeJson(message: ServerMessage): void;
  setLineLimit(bytes: number): void;
  /** Ends the session (an unsupported protocol version). */
  refuse(): void;
  readonly closing: boolean;
}

/**
 * A wire format's reading side: turns one line (after flood control) into requests for the hub.
 * Codecs hold no state of their own (one object serves every connection); writing goes through
 * the connection's `Encoder`.
 */
export interface Codec {
  readonly format: Format;
  onLine(host: CodecHost, line: DecodedLine): void;
}
