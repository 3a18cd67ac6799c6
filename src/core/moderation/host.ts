import type { Draft } from '../bus.js';
import type { ErrorCode } from '../errors.js';
import type { ErrorDetail, LeaveReason, Ref } from '../events.js';
import type { Room } from '../room.js';
import type { Session } from '../session.js';
import type { ModerationEvent } from './events.js';

/** What moderation needs of the hub: lookups, the bus, and the ways a user is told or removed. */
export interface ModerationHost {
  readonly defaultRoom: string;
  now(): number;
  find(name: string): Session | undefined;
  room(name: string): Room | undefined;
  /** False for a user of another node (a cluster): that node cuts it, and its leave reaches all. */
  isLocal(session: Session): boolean;
  /** Every session on this node, joined or not (other nodes' users included, in a cluster). */
  sessions(): Iterable<Session>;
  publish(draft: Draft, session: Session, ref: Ref | undefined): void;
  fail(session: Session, code: ErrorCode, detail: ErrorDetail, ref: Ref | undefined): void;
  detach(session: Session, reason: LeaveReason): void;
  /** Sends `event` once to every member of any of `rooms` but `except` (the hub's fanout). */
  toRooms(rooms: readonly Room[], event: ModerationEvent, except?: Session): void;
  /** Takes the session out of `room` as a part would (a new current room if it was that one). */
  removeFromRoom(session: Session, room: Room): void;
}
