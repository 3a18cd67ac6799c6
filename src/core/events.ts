import type { ErrorCode, NameProblem } from './errors.js';

/** Why a user left the chat. */
export type LeaveReason =
  | 'quit' // said `sair` or `/quit`
  | 'disconnect' // the connection closed or broke without a goodbye
  | 'timeout' // no heartbeat answer / keepalive failure
  | 'flood' // disconnected by flood control
  | 'slow' // its send queue overflowed: it stopped reading
  | 'replaced' // the same user reconnected with its session token
  | 'shutdown'; // the server is stopping

/** A client-chosen correlation value, echoed in the ack or error that answers a request. */
export type Ref = string | number;

/**
 * Render cache shared by every recipient of one event: the protocol layer stores each
 * encoding here once (per format and language), so a broadcast is encoded once, not per user.
 */
export type EncodedCache = { [format: string]: Uint8Array | undefined };

interface Base {
  /** Filled by the protocol layer; never read by the core. */
  encoded?: EncodedCache;
}

/** A stored-and-numbered chat event that every user sees. */
export interface MessageEvent extends Base {
  type: 'message';
  id: number;
  ts: number;
  from: string;
  text: string;
}
export interface ActionEvent extends Base {
  type: 'action';
  id: number;
  ts: number;
  from: string;
  text: string;
}
export interface JoinEvent extends Base {
  type: 'join';
  id: number;
  ts: number;
  name: string;
}
export interface LeaveEvent extends Base {
  type: 'leave';
  id: number;
  ts: number;
  name: string;
  reason: LeaveReason;
}
export interface NickEvent extends Base {
  type: 'nick';
  id: number;
  ts: number;
  old: string;
  new: string;
}

/** Events that go to everyone: numbered in one sequence, in the order they happened. */
export type PublicEvent = MessageEvent | ActionEvent | JoinEvent | LeaveEvent | NickEvent;

/** A private message, as its recipient sees it. */
export interface PrivateEvent extends Base {
  type: 'private';
  id: number;
  ts: number;
  from: string;
  to: string;
  text: string;
}

/** Sent to the author of a message: it was accepted and relayed under `id`. */
export interface AckEvent extends Base {
  type: 'ack';
  ref?: Ref;
  id: number;
  ts: number;
  /** What was acknowledged: plain users see a confirmation only for private messages. */
  of: 'message' | 'action' | 'private' | 'nick';
  /** For private messages: the recipient and the text, so a plain user sees what was sent. */
  to?: string;
  text?: string;
  /** For a name change: the new name, as the server spelled it. */
  name?: string;
}

export interface WelcomeEvent extends Base {
  type: 'welcome';
  name: string;
  token: string;
  users: string[];
  /** True when the name was taken back from a dead connection with the session token. */
  resumed: boolean;
}

export interface UsersEvent extends Base {
  type: 'users';
  ref?: Ref;
  users: string[];
}

/** Details that turn an error code into a precise sentence. */
export type ErrorDetail =
  | { kind: 'none' }
  | { kind: 'name'; problem: NameProblem }
  | { kind: 'name_taken'; name: string }
  | { kind: 'size'; bytes: number; limit: number }
  | { kind: 'user'; name: string }
  | { kind: 'command'; command: string }
  | { kind: 'usage'; command: string }
  | { kind: 'rate'; linesPerSecond: number }
  | { kind: 'limit'; limit: number }
  | { kind: 'seconds'; seconds: number }
  | { kind: 'text'; text: string };

export interface ErrorEvent extends Base {
  type: 'error';
  code: ErrorCode;
  detail: ErrorDetail;
  ref?: Ref;
}

/** Server notices that are not chat events. */
export type NoticeCode = 'SHUTDOWN' | 'THROTTLED';
export interface NoticeEvent extends Base {
  type: 'notice';
  code: NoticeCode;
  detail: ErrorDetail;
}

export interface PongEvent extends Base {
  type: 'pong';
  ref?: Ref;
}

/** A stored public message, as message history gives it back (its original id and time). */
export type HistoryRecord = MessageEvent | ActionEvent;

/**
 * Stored messages for one user: the replay after joining (`replay`), an older page asked for
 * with `history` (`page`), or the matches of a `search` (`search`, best first).
 */
export interface HistoryEvent extends Base {
  type: 'history';
  kind: 'replay' | 'page' | 'search';
  /** Oldest first for `replay` and `page`; best match first for `search`. */
  records: HistoryRecord[];
  /** For `replay` and `page`: older messages exist before the first record. */
  more: boolean;
  /** For `search`: the words searched for, made safe to show. */
  query?: string;
  ref?: Ref;
}

/** The last event on a connection: the server closes it right after. */
export interface ByeEvent extends Base {
  type: 'bye';
  reason: LeaveReason | 'refused';
}

/** Everything the core sends to a connection. */
export type ServerEvent =
  | PublicEvent
  | PrivateEvent
  | AckEvent
  | WelcomeEvent
  | UsersEvent
  | ErrorEvent
  | NoticeEvent
  | PongEvent
  | HistoryEvent
  | ByeEvent;

/** What a client asks of the core, whatever protocol it speaks. */
export type ClientAction =
  | { type: 'join'; name: string; token?: string; ref?: Ref }
  | { type: 'say'; text: string; ref?: Ref }
  | { type: 'me'; text: string; ref?: Ref }
  | { type: 'msg'; to: string; text: string; ref?: Ref }
  | { type: 'nick'; name: string; ref?: Ref }
  | { type: 'who'; ref?: Ref }
  | { type: 'ping'; ref?: Ref }
  /** Older stored messages: `before` an event id (default: before what this user was last shown). */
  | { type: 'history'; before?: number; limit?: number; ref?: Ref }
  /** Full-text search of the stored messages. */
  | { type: 'search'; query: string; limit?: number; ref?: Ref }
  | { type: 'quit' };
