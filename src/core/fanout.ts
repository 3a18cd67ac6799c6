import type { ServerEvent } from './events.js';
import type { Room } from './room.js';
import type { Session } from './session.js';

/**
 * How an event reaches a room's members. The core's default hands it to each member's peer; a
 * server can instead keep one copy per turn that every member's output refers to, so a broadcast
 * costs the same however many read it (src/server/shared-fanout.ts).
 */
export interface Fanout {
  /** Sends `event` to every member of `room` but `except`. */
  toRoom(room: Room, event: ServerEvent, except?: Session): void;
  /** Sends `event` once to every member of any of `rooms` but `except` (a leave, a rename). */
  toRooms(rooms: readonly Room[], event: ServerEvent, except?: Session): void;
  /** Called just before `session`'s rooms or current room change. */
  moving(session: Session): void;
}

/** Tells deliveries apart when one reaches a session through several rooms. */
let delivery = 0;

/** One send per member: what a hub does unless given another fanout. */
export const DIRECT_FANOUT: Fanout = {
  toRoom(room, event, except) {
    for (const s of room.members) if (s !== except) s.peer.send(event);
  },
  toRooms(rooms, event, except) {
    const mark = ++delivery;
    if (except) except.mark = mark;
    for (const room of rooms) {
      for (const s of room.members) {
        if (s.mark === mark) continue;
        s.mark = mark;
        s.peer.send(event);
      }
    }
  },
  moving() {},
};
