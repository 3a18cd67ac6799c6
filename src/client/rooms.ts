import { nameKey } from '../core/names.js';

/**
 * What the rooms' state reads of a server message: a few fields of the protocol's messages
 * (PROTOCOL.md, "Rooms"). A server without rooms sends none of `room`, so it has no rooms here.
 */
export interface RoomSignal {
  type: string;
  room?: string;
  name?: string;
  old?: string;
  new?: string;
  history?: true;
  ref?: unknown;
}

/** One room the user is in, as the status row shows it. */
export interface RoomEntry {
  room: string;
  unread: number;
}

/** Rooms compare regardless of letter case (`#Rust` is `#rust`), as the server compares them. */
export const roomKey = (room: string): string => nameKey(room);

/**
 * The client's view of its rooms: the rooms the user is in (in the order joined: Alt+N is the
 * Nth), the current one (where typed lines go), and how many messages each other room got
 * since it was last current. Pure: fed with server messages, asked by the UI. Issue #12.
 */
export class RoomState {
  /** The rooms the user is in, in the order joined. */
  private readonly joined: RoomEntry[] = [];
  /** Where lines typed go; null until the server names a room (a server without rooms). */
  current: string | null = null;
  /** The user's own name, to tell their own parts from others'. */
  ownName: string | null = null;

  /** The rooms, in the order of the status row. */
  get rooms(): readonly RoomEntry[] {
    return this.joined;
  }

  /** Whether the user is in `room`. */
  has(room: string): boolean {
    return this.find(room) !== undefined;
  }

  /** The room as the user is in it (the server's spelling), or undefined. */
  find(room: string): RoomEntry | undefined {
    const key = roomKey(room);
    return this.joined.find((r) => roomKey(r.room) === key);
  }

  /** The Nth room of the status row (from 1), for Alt+N. */
  nth(n: number): string | undefined {
    return this.joined[n - 1]?.room;
  }

  /** Makes `room` current (it must be one the user is in); its unread count is read. */
  switchTo(room: string): boolean {
    const entry = this.find(room);
    if (!entry) return false;
    this.current = entry.room;
    entry.unread = 0;
    return true;
  }

  /** Whether a message of `room` is shown as from another room (`[#room]` before it). */
  isOther(room: string | undefined): boolean {
    return room !== undefined && this.current !== null && roomKey(room) !== roomKey(this.current);
  }

  /**
   * Takes one server message. `welcome` and `room` (joined, or back in a room) add the room and
   * make it current unless `keepCurrent` (re-joining rooms after a reconnect); the user's own
   * `part` (or a `kick` out of it) removes it; a live message or action in another room counts as unread.
   */
  receive(m: RoomSignal, keepCurrent = false): void {
    switch (m.type) {
      case 'welcome':
        this.ownName = m.name ?? this.ownName;
        if (m.room !== undefined) this.enter(m.room, keepCurrent && this.current !== null);
        return;
      case 'room':
        if (m.room !== undefined) this.enter(m.room, keepCurrent);
        return;
      case 'part':
      case 'kick': // kicked out of a room: out of it as after a part (PROTOCOL.md, "Moderation")
        if (m.room !== undefined && m.name !== undefined && this.isOwn(m.name)) this.leave(m.room);
        return;
      case 'nick':
        if (m.old !== undefined && m.new !== undefined && this.isOwn(m.old)) this.ownName = m.new;
        return;
      case 'message':
      case 'action': {
        if (m.history || m.room === undefined || !this.isOther(m.room)) return;
        const entry = this.find(m.room);
        if (entry) entry.unread++;
        return;
      }
    }
  }

  /** Takes `room` out without the server's word (it refused to let the user back in). */
  forget(room: string): void {
    this.leave(room);
  }

  /** The rooms to join again after a reconnect, all but the one the server put the user in. */
  rejoins(defaultRoom: string): string[] {
    return this.joined.map((r) => r.room).filter((r) => roomKey(r) !== roomKey(defaultRoom));
  }

  private isOwn(name: string): boolean {
    return this.ownName !== null && nameKey(name) === nameKey(this.ownName);
  }

  private enter(room: string, keepCurrent: boolean): void {
    const entry = this.find(room);
    if (entry) entry.room = room;
    else this.joined.push({ room, unread: 0 });
    if (!keepCurrent || this.current === null) this.switchTo(room);
  }

  private leave(room: string): void {
    const key = roomKey(room);
    const at = this.joined.findIndex((r) => roomKey(r.room) === key);
    if (at === -1) return;
    this.joined.splice(at, 1);
    if (this.current !== null && roomKey(this.current) === key) {
      // The server puts a user who parts their last room back in the default room (a `room`
      // event follows); otherwise the nearest room becomes current.
      const next = this.joined[Math.min(at, this.joined.length - 1)];
      this.current = null;
      if (next) this.switchTo(next.room);
    }
  }
}

/** One room of the status row and how it stands out: current, with news, or quiet. */
function statusItems(state: RoomState): Array<{ text: string; kind: 'current' | 'unread' | 'quiet' }> {
  return state.rooms.map((r) => {
    if (state.current !== null && roomKey(r.room) === roomKey(state.current)) {
      return { text: `[${r.room}]`, kind: 'current' };
    }
    return r.unread > 0
      ? { text: `${r.room}(${r.unread})`, kind: 'unread' }
      : { text: r.room, kind: 'quiet' };
  });
}

/**
 * The status row: rooms in the order joined, the current one in brackets, others with their
 * unread count: `[#geral] #rust(3) #ops(1)`; empty without rooms.
 */
export function roomsStatus(state: RoomState): string {
  return statusItems(state)
    .map((i) => i.text)
    .join(' ');
}

const STATUS_STYLE = { current: '\x1b[1m', unread: '\x1b[1;33m', quiet: '\x1b[2m' } as const;

/**
 * roomsStatus, and the same with styles: the current room bold, rooms with news bold and, with
 * `color`, yellow; the others dim.
 */
export function roomsStatusParts(state: RoomState, color: boolean): { text: string; ansi: string } {
  const items = statusItems(state);
  const style = (kind: keyof typeof STATUS_STYLE) =>
    kind === 'unread' && !color ? STATUS_STYLE.current : STATUS_STYLE[kind];
  return {
    text: items.map((i) => i.text).join(' '),
    ansi: items.map((i) => `${style(i.kind)}${i.text}\x1b[0m`).join(' '),
  };
}
