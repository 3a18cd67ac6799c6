/**
 * Moderation's requests, events and error details (docs/PROTOCOL.md, "Moderation"): members of
 * the one request type and the one event union in ../events.ts.
 */
type Ref = string | number;

/** What an operator asks for. `room` left out: the default room (plain text fills in the current one). */
export type ModerationAction =
  /** Out of `room`; with `server`, off the server (server operators only). */
  | { type: 'kick'; name: string; room?: string; server?: boolean; reason?: string; ref?: Ref }
  /** `target`: a name, or an address or CIDR range; `duration` as `/ban` takes it (`10m`, `none`). */
  | { type: 'ban'; target: string; duration?: string; reason?: string; room?: string; ref?: Ref }
  | { type: 'unban'; target: string; room?: string; ref?: Ref }
  | { type: 'bans'; ref?: Ref }
  | { type: 'mute'; name: string; duration?: string; reason?: string; room?: string; ref?: Ref }
  | { type: 'unmute'; name: string; room?: string; ref?: Ref }
  | { type: 'op'; name: string; room?: string; ref?: Ref }
  | { type: 'deop'; name: string; room?: string; ref?: Ref };

/**
 * A kick: out of `room`, or off the server when `room` is absent. `rooms`: the rooms whose members
 * are told (not sent to clients).
 */
export interface KickEvent {
  type: 'kick';
  id: number;
  ts: number;
  name: string;
  by: string;
  reason: string;
  room?: string;
  rooms: string[];
}

/**
 * A server ban. `target` is what the operator named (a name, or a range); `name` the name key
 * banned, `masks` the address ranges banned (the user's own address is never sent to clients);
 * `until` in ms, null for no end. The ban's id is the event's id.
 */
export interface BanEvent {
  type: 'ban';
  id: number;
  ts: number;
  target: string;
  by: string;
  reason: string;
  until: number | null;
  name: string | null;
  masks: string[];
  rooms: string[];
}

/** A ban lifted; `ids`: the bans removed. */
export interface UnbanEvent {
  type: 'unban';
  id: number;
  ts: number;
  target: string;
  by: string;
  ids: number[];
  rooms: string[];
}

/** A server-wide mute of a name: it can read, not post. */
export interface MuteEvent {
  type: 'mute';
  id: number;
  ts: number;
  name: string;
  by: string;
  reason: string;
  until: number | null;
  rooms: string[];
}

export interface UnmuteEvent {
  type: 'unmute';
  id: number;
  ts: number;
  name: string;
  by: string;
  rooms: string[];
}

/**
 * A room operator named (`op`) or removed (`deop`). `account`: the grant is bound to the
 * registered account `name` (kept across restarts) rather than to one connection (`session`).
 */
export interface OpEvent {
  type: 'op' | 'deop';
  id: number;
  ts: number;
  room: string;
  name: string;
  by: string;
  account: string | null;
  session: number | null;
}

/** Everything moderation publishes on the bus. */
export type ModerationEvent = KickEvent | BanEvent | UnbanEvent | MuteEvent | UnmuteEvent | OpEvent;

/** One ban as `/bans` lists it. */
export interface BanEntry {
  id: number;
  target: string;
  name: string | null;
  masks: string[];
  by: string;
  reason: string;
  ts: number;
  until: number | null;
}

/** One mute as `/bans` lists it. */
export interface MuteEntry {
  name: string;
  by: string;
  reason: string;
  ts: number;
  until: number | null;
}

/** Answer to `bans`: the bans and mutes in force, oldest first. */
export interface BansEvent {
  type: 'bans';
  bans: BanEntry[];
  mutes: MuteEntry[];
  ref?: Ref;
}

/** Why an operator's request names a target it cannot act on (BAD_TARGET). */
export type TargetProblem =
  | { kind: 'duration'; text: string; why: 'unit' | 'too_long' | 'zero' }
  | { kind: 'address'; text: string }
  | { kind: 'self' }
  /** The range covers the operator's own address. */
  | { kind: 'own_address'; mask: string }
  /** Server operators are not kicked, banned or muted. */
  | { kind: 'operator'; name: string }
  | { kind: 'not_in_room'; name: string; room: string }
  | { kind: 'not_banned'; target: string }
  | { kind: 'not_muted'; name: string };

export type ModerationDetail =
  | { kind: 'ban'; reason: string; until: number | null }
  | { kind: 'mute'; until: number | null }
  /** `room` null: only a server operator may do this. */
  | { kind: 'operator'; room: string | null }
  | { kind: 'target'; problem: TargetProblem };
