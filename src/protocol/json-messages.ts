/**
 * The JSON-lines protocol, version 1: every message a client and a server exchange. One union
 * for each direction, shared by the server, the client and (later) the browser UI.
 * docs/PROTOCOL.md documents each one with examples.
 */
import type { ErrorCode } from '../core/errors.js';
import type { LeaveReason, NoticeCode, Ref } from '../core/events.js';

export const PROTOCOL_VERSION = 1;

/** Client → server. */
export type ClientMessage =
  | { type: 'hello'; version: number; name?: string; token?: string; lang?: string; client?: string }
  | { type: 'join'; name: string; token?: string; ref?: Ref }
  | { type: 'say'; text: string; ref?: Ref }
  | { type: 'me'; text: string; ref?: Ref }
  | { type: 'msg'; to: string; text: string; ref?: Ref }
  | { type: 'nick'; name: string; ref?: Ref }
  | { type: 'who'; ref?: Ref }
  | { type: 'ping'; ref?: Ref }
  | { type: 'history'; before?: number; limit?: number; ref?: Ref }
  | { type: 'search'; query: string; limit?: number; ref?: Ref }
  | { type: 'pong' }
  | { type: 'quit' };

export interface Limits {
  messageBytes: number;
  nameChars: number;
  lineBytes: number;
}

/** Server → client. */
export type ServerMessage =
  | { type: 'hello'; version: number; server: string; limits: Limits; heartbeatSeconds: number }
  | { type: 'welcome'; name: string; token: string; users: string[]; resumed: boolean }
  /** `history: true` marks a stored message sent after a `history` header, not a live one. */
  | { type: 'message'; id: number; ts: number; from: string; text: string; history?: true }
  | { type: 'action'; id: number; ts: number; from: string; text: string; history?: true }
  | { type: 'private'; id: number; ts: number; from: string; to: string; text: string }
  | { type: 'join'; id: number; ts: number; name: string }
  | { type: 'leave'; id: number; ts: number; name: string; reason: LeaveReason }
  | { type: 'nick'; id: number; ts: number; old: string; new: string }
  | { type: 'ack'; id: number; ts: number; ref?: Ref; name?: string }
  | { type: 'users'; users: string[]; ref?: Ref }
  | { type: 'error'; code: ErrorCode; message: string; ref?: Ref }
  | { type: 'notice'; code: NoticeCode; message: string }
  /** Announces `count` stored messages, sent next as `message`/`action` lines with `history: true`. */
  | {
      type: 'history';
      kind: 'replay' | 'page' | 'search';
      count: number;
      more?: boolean;
      query?: string;
      ref?: Ref;
    }
  | { type: 'ping' }
  | { type: 'pong'; ref?: Ref }
  | { type: 'bye'; reason: LeaveReason | 'refused' };

export type ServerMessageType = ServerMessage['type'];
