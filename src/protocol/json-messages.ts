/**
 * The JSON-lines protocol, version 2 (rooms; version 1 clients, which never name a room, are
 * still served): every message a client and a server exchange. One union for each direction,
 * shared by the server, the client and the browser UI. docs/PROTOCOL.md documents each one.
 */
import type { ErrorCode } from '../core/errors.js';
import type {
  FileEvent,
  AccountEvent,
  BanEntry,
  ChallengeEvent,
  ClientAction,
  LeaveReason,
  MuteEntry,
  NoticeCode,
  Ref,
  RoomSummary,
  WhoisEvent,
} from '../core/events.js';

export const PROTOCOL_VERSION = 2;
/** Versions a server accepts in `hello`. */
export const PROTOCOL_VERSIONS: readonly number[] = [1, 2];

/** Client → server: the core's requests, plus the session's own `hello` and `pong`. */
export type ClientMessage =
  | {
      type: 'hello';
      version: number;
      name?: string;
      token?: string;
      lang?: string;
      client?: string;
      /** Replay only messages after this id (a reconnecting client has the rest). */
      since?: number;
      /** A registered name's password, or the Ed25519 public key to log in with (docs/PROTOCOL.md, "Accounts"). */
      password?: string;
      key?: string;
    }
  | Exclude<ClientAction, { type: 'quit' }>
  | { type: 'pong' }
  | { type: 'quit' };

export interface Limits {
  messageBytes: number;
  nameChars: number;
  lineBytes: number;
}

/** `history: true` marks a stored message sent after a `history` header, not a live one. */
type Stored = { history?: true };

/** Server → client. */
export type ServerMessage =
  | {
      type: 'hello';
      version: number;
      server: string;
      limits: Limits;
      heartbeatSeconds: number;
      defaultRoom: string;
    }
  | {
      type: 'welcome';
      name: string;
      token: string;
      room: string;
      users: string[];
      userCount: number;
      resumed: boolean;
    }
  | ({ type: 'message'; id: number; ts: number; room: string; from: string; text: string } & Stored)
  | ({ type: 'action'; id: number; ts: number; room: string; from: string; text: string } & Stored)
  | { type: 'private'; id: number; ts: number; from: string; to: string; text: string }
  | { type: 'join'; id: number; ts: number; room: string; name: string; connected?: true }
  | { type: 'part'; id: number; ts: number; room: string; name: string; reason?: string }
  | { type: 'leave'; id: number; ts: number; name: string; reason: LeaveReason }
  | { type: 'nick'; id: number; ts: number; old: string; new: string }
  | { type: 'topic'; id: number; ts: number; room: string; by: string; text: string }
  | { type: 'room'; room: string; topic: string; users: string[]; userCount: number; ref?: Ref }
  | {
      type: 'presence';
      ts: number;
      room: string;
      joined: string[];
      joinedCount: number;
      left: string[];
      leftCount: number;
    }
  | { type: 'rooms'; rooms: RoomSummary[]; ref?: Ref }
  | { type: 'topic_info'; room: string; text: string; ref?: Ref }
  | { type: 'ack'; id: number; ts: number; ref?: Ref; room?: string; name?: string }
  | { type: 'users'; room: string; users: string[]; ref?: Ref }
  | { type: 'error'; code: ErrorCode; message: string; ref?: Ref }
  /** `from`, `to`: with EVENTS_LOST, the ids that are gone. */
  | { type: 'notice'; code: NoticeCode; message: string; from?: number; to?: number }
  /** Announces `count` stored messages, sent next as `message`/`action` lines with `history: true`. */
  | {
      type: 'history';
      kind: 'replay' | 'page' | 'search';
      count: number;
      room?: string;
      more?: boolean;
      query?: string;
      ref?: Ref;
    }
  | ChallengeEvent
  | AccountEvent
  | WhoisEvent
  | { type: 'ping' }
  | { type: 'pong'; ref?: Ref }
  | { type: 'bye'; reason: LeaveReason | 'refused' }
  /** Moderation notices (PROTOCOL.md, "Moderation"): `room` absent on a kick means off the server. */
  | { type: 'kick'; id: number; ts: number; name: string; by: string; room?: string; reason?: string }
  | { type: 'ban'; id: number; ts: number; target: string; by: string; until: number | null; reason?: string }
  | { type: 'unban'; id: number; ts: number; target: string; by: string }
  | { type: 'mute'; id: number; ts: number; name: string; by: string; until: number | null; reason?: string }
  | { type: 'unmute'; id: number; ts: number; name: string; by: string }
  | { type: 'op' | 'deop'; id: number; ts: number; room: string; name: string; by: string }
  | { type: 'bans'; bans: BanEntry[]; mutes: MuteEntry[]; ref?: Ref };

export type ServerMessageType = ServerMessage['type'];

/**
 * Server → client messages of file transfer (#14, docs/PROTOCOL.md "Files"): kept beside
 * `ServerMessage` until every client parses them, then folded into it.
 */
export type FileMessage =
  FileEvent | { type: 'upload_slot'; url: string; size: number; offset: number; ref?: Ref };
