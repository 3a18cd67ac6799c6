import type { ErrorCode } from './errors.js';
import type { ErrorDetail, Ref } from './events.js';
import type { Room } from './room.js';
import type { Session } from './session.js';
import { sanitizeText } from './text.js';

/** Names a joiner is shown of a room's members (and a presence summary lists): the rest are counted. */
export const MAX_LISTED_USERS = 100;

/** Tells the session its request was refused, and why. */
export function fail(session: Session, code: ErrorCode, detail: ErrorDetail, ref: Ref | undefined): void {
  session.peer.send({ type: 'error', code, detail, ref });
}

/** A room's name and the first of its members, as a joiner is shown them. */
export function listing(room: Room): { room: string; users: string[]; userCount: number } {
  return { room: room.name, users: room.firstNames(MAX_LISTED_USERS), userCount: room.members.size };
}

/** The detail of a refusal about a room, its name made safe to show. */
export function roomDetail(name: string | undefined): ErrorDetail {
  return { kind: 'room', room: sanitizeText(name ?? '').slice(0, 40) };
}
