import type { ServerMessage } from '../protocol/json-messages.js';
import type { Lang } from '../protocol/texts.js';
import type { BackoffOptions } from './backoff.js';
import type { ChatRequest } from './input.js';
import type { Protocol } from './server-reader.js';
import type { Identity } from './identity.js';
import type { Connector } from './transport.js';
import type { FileMessage } from './files/messages.js';

/** Why a session ended without the user asking it to. */
export type Failure =
  | { kind: 'unreachable'; code: string }
  /** The server's TLS certificate is not trusted (issue #5); `message` says why and what to do. */
  | { kind: 'untrusted'; message: string }
  | { kind: 'closed-before-join'; lastLine?: string }
  | { kind: 'gave-up'; attempts: number }
  /** The server speaks TLS and the client did not (issue #17): `--tls` is missing. */
  | { kind: 'tls-port' }
  /** `--tls` met a server that answers in plain text: no TLS there. */
  | { kind: 'not-tls' }
  | { kind: 'replaced' };

/** What a session tells its user interface, in order. */
export type SessionEvent =
  | { type: 'connecting'; attempt: number }
  | { type: 'connected'; protocol: Protocol; why: 'flag' | 'greeting' }
  | { type: 'server'; message: ServerMessage; line: string }
  | { type: 'plain'; line: string }
  /** A file was sent to the user or one of their rooms (issue #14). */
  | { type: 'file'; message: FileMessage; line: string }
  | { type: 'name-needed'; problem?: string }
  /** The name is registered (or must be, `register`): the user types its password, sent with `authPassword`. */
  | { type: 'password-needed'; name: string; register: boolean }
  | { type: 'joined'; name: string; users: string[]; resumed: boolean; again: boolean }
  | { type: 'acked'; request: ChatRequest; id: number; ts: number }
  | { type: 'refused'; request: ChatRequest; code: string; message: string }
  | { type: 'lost' }
  | { type: 'retrying'; delayMs: number; attempt: number }
  | { type: 'reclaiming'; name: string }
  | { type: 'failed'; failure: Failure }
  | { type: 'closed' };

export interface SessionOptions {
  connect: Connector;
  /** The user's key: joins offer it, challenges are signed with it, `/register` binds it. */
  identity?: Identity;
  name?: string;
  lang: Lang;
  /** Speak plain text whatever the server's greeting (`--plain`). */
  plain?: boolean;
  /** Sent in `hello` as `client`. */
  clientId: string;
  /** How long to wait for a greeting before deciding the server is not papo, in ms. */
  greetingTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** Reconnect attempts in a row before giving up; Infinity for a person at a terminal. */
  maxAttempts?: number;
  /** Requests sent but not yet answered, at most; the server's flood control paces the rest. */
  window?: number;
  /** Tries to take a name back from a ghost connection before asking for another one. */
  reclaimAttempts?: number;
  /**
   * Whether the server's address completes a TLS handshake: asked when a connection closed
   * without the server ever sending a byte, which is how a TLS port treats a plain client.
   */
  probeTls?: () => Promise<boolean>;
}
