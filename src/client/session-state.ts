import type { ClientMessage, ServerMessage } from '../protocol/json-messages.js';
import { Resumption, type Received } from './replay-filter.js';
import { RoomState } from './rooms.js';

/** The `ref` of a room joined again after a reconnect: its answer keeps the current room. */
const REJOIN = 'rejoin ';

/** Whether a ref is that of a room joined again after a reconnect. */
export const isRejoinRef = (ref: unknown): ref is string => typeof ref === 'string' && ref.startsWith(REJOIN);

type Resuming = Extract<ClientMessage, { type: 'hello' | 'join' | 'join_room' }>;

/**
 * What a session keeps of what the server told it, across connections: who is online (for
 * completion), the user's rooms and the current one (#12), and where a reconnect resumes
 * (#17). Pure: fed with server messages in order, it says which of them the user should see.
 */
export class SessionState {
  users: string[] = [];
  readonly rooms = new RoomState();
  private readonly resumption = new Resumption();
  /** Whether the user has joined before: a welcome then is a return, not an arrival. */
  private joinedBefore = false;

  /** A new connection: nothing is pending on it yet. */
  connected(): void {
    this.resumption.reset();
  }

  /** `m` with `since` once events have been seen, so the server replays only what came after. */
  resuming<T extends Resuming>(m: T, room?: string): T {
    const since = this.resumption.since(room);
    return since === undefined ? m : { ...m, since };
  }

  /**
   * Back after a reconnect, in the room the server put the user in: the requests that join the
   * user's other rooms again, each with `since` (a room the user is still in just answers).
   */
  rejoins(welcomeRoom: string): ClientMessage[] {
    return this.rooms
      .rejoins(welcomeRoom)
      .map((room) => this.resuming({ type: 'join_room', room, ref: `${REJOIN}${room}` }, room));
  }

  /** A room could not be joined again (a limit lowered meanwhile): it is a room left. */
  rejoinRefused(ref: string): void {
    this.rooms.forget(ref.slice(REJOIN.length));
  }

  /**
   * Takes one server message; returns those to show, in order. A replay after a reconnect loses
   * what was shown already; a `room` line that neither answers the user nor moves their lines
   * (the answer to a re-join, a room a resumed session is put back in) is not news.
   */
  receive(r: Received): Received[] {
    return this.resumption.receive(r).filter((x) => this.take(x.message));
  }

  /** The connection closed: whatever a replay still held. */
  flush(): Received[] {
    return this.resumption.flush().filter((x) => this.take(x.message));
  }

  private take(m: ServerMessage): boolean {
    // Coming back after a reconnect keeps the room the user was in current, and a `room` that
    // answers no request of theirs (the server moving a plain user on after a part) too.
    const keepCurrent =
      m.type === 'welcome'
        ? this.joinedBefore
        : m.type === 'room' && (m.ref === undefined || isRejoinRef(m.ref));
    const current = this.rooms.current;
    this.rooms.receive(m, keepCurrent);
    if (m.type === 'room' && keepCurrent && this.rooms.current === current) return false;
    switch (m.type) {
      case 'welcome':
        this.joinedBefore = true;
        this.users = [...m.users];
        break;
      case 'join':
        if (!this.users.includes(m.name)) this.users.push(m.name);
        break;
      case 'leave':
        this.users = this.users.filter((u) => u !== m.name);
        break;
      case 'nick':
        this.users = this.users.map((u) => (u === m.old ? m.new : u));
        break;
      case 'users':
        this.users = [...m.users];
        break;
    }
    return true;
  }
}
