import type { ErrorCode, NameProblem, PasswordProblem } from './errors.js';
import type { BansEvent, ModerationAction, ModerationDetail, ModerationEvent } from './moderation/events.js';

export type * from './moderation/events.js';

/** Why a user left the chat. */
export type LeaveReason =
  | 'quit' // said `sair` or `/quit`
  | 'disconnect' // the connection closed or broke without a goodbye
  | 'timeout' // no heartbeat answer / keepalive failure / idle too long
  | 'flood' // disconnected by flood control
  | 'slow' // its send queue overflowed: it stopped reading
  | 'replaced' // the same user reconnected with its session token
  | 'shutdown' // the server is stopping
  | 'kicked' // kicked off the server, or out of their last room, by an operator
  | 'banned' // banned by a server operator (or refused: the address or name is banned)
  | 'name_lost'; // its cluster node was cut off and counted gone, and someone took the name meanwhile

/** A client-chosen correlation value, echoed in the ack or error that answers a request. */
export type Ref = string | number;

/**
 * Public events: numbered by the bus in one increasing sequence (`id`, shared by every room,
 * so one number says "everything after this" in all rooms), in the order they happened.
 * `room` is the room's display name (`#geral`); rooms compare by `roomKey`.
 */
export interface MessageEvent {
  type: 'message';
  id: number;
  ts: number;
  room: string;
  from: string;
  text: string;
}
export interface ActionEvent {
  type: 'action';
  id: number;
  ts: number;
  room: string;
  from: string;
  text: string;
}
/** A user entered a room; `connected` when that was their arrival on the server. */
export interface JoinEvent {
  type: 'join';
  id: number;
  ts: number;
  room: string;
  name: string;
  connected?: true;
}
/** A user left a room but stays online. */
export interface PartEvent {
  type: 'part';
  id: number;
  ts: number;
  room: string;
  name: string;
  reason?: string;
}
/** A user left the server: told once to everyone who shared a room with them. */
export interface LeaveEvent {
  type: 'leave';
  id: number;
  ts: number;
  name: string;
  reason: LeaveReason;
  /** The rooms the user was in (every node removes the membership from these). */
  rooms: string[];
}
/** A rename: told once to everyone who shares a room with the user, and to the user. */
export interface NickEvent {
  type: 'nick';
  id: number;
  ts: number;
  old: string;
  new: string;
  /** The rooms the user is in (whose members are told); not sent to clients. */
  rooms: string[];
}
export interface TopicEvent {
  type: 'topic';
  id: number;
  ts: number;
  room: string;
  by: string;
  text: string;
}

/** Events that go to a room's members (or, for leave and nick, to everyone sharing a room). */
export type PublicEvent =
  MessageEvent | ActionEvent | JoinEvent | PartEvent | LeaveEvent | NickEvent | TopicEvent;

/** A private message, as its recipient sees it. */
export interface PrivateEvent {
  type: 'private';
  id: number;
  ts: number;
  from: string;
  to: string;
  text: string;
}

/**
 * A file was received whole and checked (#14): told to the room's members, or to the recipient
 * and the sender when `to` is set instead of `room`. `url` is the download capability.
 */
export interface FileEvent {
  type: 'file';
  id: number;
  ts: number;
  from: string;
  room?: string;
  to?: string;
  name: string;
  size: number;
  mime: string;
  sha256: string;
  url: string;
}

/** Everything that travels on the bus: numbered there, delivered when it comes back. */
export type BusEvent = PublicEvent | PrivateEvent | ModerationEvent | FileEvent;

/** Sent to the author of a message: it was accepted and relayed under `id`. */
export interface AckEvent {
  type: 'ack';
  ref?: Ref;
  id: number;
  ts: number;
  /** What was acknowledged: plain users see a confirmation only for private messages. */
  of: 'message' | 'action' | 'private' | 'nick' | 'part_room' | 'topic' | 'moderation';
  /** The room of a message, an action, a part or a topic. */
  room?: string;
  /** For private messages: the recipient and the text, so a plain user sees what was sent. */
  to?: string;
  text?: string;
  /** For a name change: the new name, as the server spelled it. */
  name?: string;
}

export interface WelcomeEvent {
  type: 'welcome';
  name: string;
  token: string;
  /** The room the user starts in (the default room), and who is in it: the first 100 of `userCount`. */
  room: string;
  users: string[];
  userCount: number;
  /** True when the name was taken back from a dead connection with the session token. */
  resumed: boolean;
}

/** The user is in `room` now (joined it, or came back to it): its topic and members. */
export interface RoomEvent {
  type: 'room';
  room: string;
  topic: string;
  /** The first 100 members, of `userCount`. */
  users: string[];
  userCount: number;
  ref?: Ref;
}

/**
 * The joins and leaves (parts included) of a busy room over the last second, told at once
 * instead of one notice each (PROTOCOL.md, "Busy rooms"). Names: the first 100 of each count.
 */
export interface PresenceEvent {
  type: 'presence';
  ts: number;
  room: string;
  joined: string[];
  joinedCount: number;
  left: string[];
  leftCount: number;
}

export interface RoomSummary {
  room: string;
  users: number;
  topic: string;
}
export interface RoomsEvent {
  type: 'rooms';
  rooms: RoomSummary[];
  ref?: Ref;
}

/** Answer to asking a room's topic (setting one is a public `topic` event). */
export interface TopicInfoEvent {
  type: 'topic_info';
  room: string;
  text: string;
  ref?: Ref;
}

export interface UsersEvent {
  type: 'users';
  room: string;
  users: string[];
  ref?: Ref;
}

/** Details that turn an error code into a precise sentence. */
export type ErrorDetail =
  | { kind: 'none' }
  | { kind: 'name'; problem: NameProblem }
  | { kind: 'name_taken'; name: string }
  | { kind: 'size'; bytes: number; limit: number }
  | { kind: 'user'; name: string }
  | { kind: 'room'; room: string }
  | { kind: 'room_name'; problem: NameProblem }
  | { kind: 'command'; command: string }
  | { kind: 'usage'; command: string }
  | { kind: 'rate'; linesPerSecond: number }
  | { kind: 'limit'; limit: number }
  | { kind: 'seconds'; seconds: number }
  | { kind: 'text'; text: string }
  /** NAME_CONFUSABLE: the online or registered name (or room) the requested one looks like. */
  | { kind: 'confusable'; name: string }
  | { kind: 'password'; problem: PasswordProblem }
  /** EVENTS_LOST: the ids of the events that are gone (inclusive). */
  | { kind: 'lost'; from: number; to: number }
  | ModerationDetail;

export interface ErrorEvent {
  type: 'error';
  code: ErrorCode;
  detail: ErrorDetail;
  ref?: Ref;
}

/** Server notices that are not chat events. */
export type NoticeCode =
  | 'SHUTDOWN'
  | 'THROTTLED'
  | 'CLUSTER_DEGRADED'
  | 'CLUSTER_RESTORED'
  /** This node was cut off long enough to be counted gone: others saw its users leave and come back. */
  | 'CLUSTER_REJOINED'
  /** Events `from`..`to` are gone from this server (a cluster's store lost them): a gap in what you were shown. */
  | 'EVENTS_LOST';
export interface NoticeEvent {
  type: 'notice';
  code: NoticeCode;
  detail: ErrorDetail;
}

/** The answer to a `file_offer`: where to upload the bytes (docs/PROTOCOL.md, "Files"). */
export interface UploadSlotEvent {
  type: 'upload_slot';
  url: string;
  size: number;
  offset: number;
  ref?: Ref;
}

export interface PongEvent {
  type: 'pong';
  ref?: Ref;
}

/**
 * A registered name needs proof (docs/PROTOCOL.md, "Accounts"): answer with `auth` carrying the
 * password (`password`) or a signature of `nonce` by the bound key (`key`). With `register`, the
 * name is free on a server that only admits registered names: the password given registers it.
 */
export interface ChallengeEvent {
  type: 'challenge';
  name: string;
  nonce: string;
  /** What the client signs with its key besides the nonce and name (its TLS fingerprint, or its id). */
  server: string;
  password: boolean;
  key: boolean;
  register: boolean;
  ref?: Ref;
}

/** Answer to `register`, `password` and `unregister`: done, for this account. */
export interface AccountEvent {
  type: 'account';
  of: 'register' | 'password' | 'unregister';
  name: string;
  /** After `register` with a key: the key's fingerprint (`SHA256:…`). */
  fingerprint?: string;
  ref?: Ref;
}

/** Answer to `whois`. */
export interface WhoisEvent {
  type: 'whois';
  name: string;
  registered: boolean;
  /** When the account was registered (ms since the epoch). */
  since?: number;
  /** The bound key's fingerprint, `SHA256:…` as ssh prints it. */
  fingerprint?: string;
  online: boolean;
  /** Seconds since the online user last sent something. */
  idleSeconds?: number;
  ref?: Ref;
}

/** A stored public message, as message history gives it back (its original id and time). */
export type HistoryRecord = MessageEvent | ActionEvent;

/**
 * Stored messages for one user: the replay on entering a room (`replay`), an older page asked
 * for with `history` (`page`), or the matches of a `search` (`search`, best first).
 */
export interface HistoryEvent {
  type: 'history';
  kind: 'replay' | 'page' | 'search';
  /** The room of a replay or page; absent for a search (each record names its room). */
  room?: string;
  /** Oldest first for `replay` and `page`; best match first for `search`. */
  records: HistoryRecord[];
  /** For `replay` and `page`: older messages exist before the first record. */
  more: boolean;
  /** For `search`: the words searched for, made safe to show. */
  query?: string;
  ref?: Ref;
}

/** The last event on a connection: the server closes it right after. */
export interface ByeEvent {
  type: 'bye';
  reason: LeaveReason | 'refused';
}

/** Everything the core sends to a connection. */
export type ServerEvent =
  | BusEvent
  | AckEvent
  | WelcomeEvent
  | RoomEvent
  | PresenceEvent
  | RoomsEvent
  | TopicInfoEvent
  | UsersEvent
  | ErrorEvent
  | NoticeEvent
  | PongEvent
  | UploadSlotEvent
  | HistoryEvent
  | ChallengeEvent
  | AccountEvent
  | WhoisEvent
  | ByeEvent
  | ModerationEvent
  | BansEvent;

/**
 * What a client asks of the core, whatever protocol it speaks: the one request type. The
 * JSON-lines client messages are these plus `hello` and `pong` (src/protocol/json-messages.ts).
 * `room` left out means the default room for JSON clients; the plain protocol fills in the
 * user's current room.
 */
export type ClientAction =
  /** Join the chat under `name`; `token` takes the name back from a dead connection; `since`:
   * the replay holds only messages after this id (a client that reconnects has the rest). */
  | { type: 'join'; name: string; token?: string; since?: number; password?: string; key?: string; ref?: Ref }
  /** Proof for a registered name after a `challenge`: its password, or the nonce signed by its key. */
  | { type: 'auth'; password?: string; signature?: string; ref?: Ref }
  /** Registers the user's current name with a password, a public key (Ed25519), or both. */
  | { type: 'register'; password?: string; key?: string; ref?: Ref }
  | { type: 'password'; password: string; ref?: Ref }
  | { type: 'unregister'; ref?: Ref }
  | { type: 'whois'; name: string; ref?: Ref }
  | { type: 'say'; text: string; room?: string; ref?: Ref }
  | { type: 'me'; text: string; room?: string; ref?: Ref }
  | { type: 'msg'; to: string; text: string; ref?: Ref }
  | { type: 'nick'; name: string; ref?: Ref }
  | { type: 'who'; room?: string; ref?: Ref }
  /** Enter a room (created if new) and make it current; `since` as for `join`. */
  | { type: 'join_room'; room: string; since?: number; ref?: Ref }
  | { type: 'part_room'; room?: string; reason?: string; ref?: Ref }
  | { type: 'rooms'; ref?: Ref }
  /** Without `text`: ask the topic; with it: set it. */
  | { type: 'topic'; room?: string; text?: string; ref?: Ref }
  | { type: 'ping'; ref?: Ref }
  /** Older stored messages of a room: `before` an event id (default: before what this user was last shown). */
  | { type: 'history'; room?: string; before?: number; limit?: number; ref?: Ref }
  /** Full-text search of a room's stored messages, or of all the user's rooms with `all`. */
  | { type: 'search'; query: string; room?: string; all?: boolean; limit?: number; ref?: Ref }
  | ModerationAction
  /** Ask for an upload slot for a file to a room (default: the current one) or, with `to`, a user. */
  | { type: 'file_offer'; name: string; size: number; sha256: string; room?: string; to?: string; ref?: Ref }
  /** The `file` event `id` again, for an offer this connection did not see (it joined later). */
  | { type: 'file_lookup'; id: number; ref?: Ref }
  | { type: 'quit' };
