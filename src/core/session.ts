import type { ServerEvent } from './events.js';
import type { Room } from './room.js';

/** The core's view of a connection: somewhere to send events, and a way to end it. */
export interface Peer {
  /** Queues an event. The same object may go to many peers: never mutate it. */
  send(event: ServerEvent): void;
  /** Ends the connection after what is queued, the `bye` included, has been sent. */
  close(): void;
  /** The server as this connection sees it (its TLS certificate's fingerprint, or its id): key logins sign it. */
  readonly serverIdentity?: string;
}

/** One connection's state in the core; `name` is null until the user has joined. */
export class Session {
  name: string | null = null;
  key: string | null = null;
  token: string | null = null;
  closed = false;
  /** The rooms this user is in, in the order joined. */
  rooms: Room[] = [];
  /** Where plain lines go; null until joined. */
  current: Room | null = null;
  /**
   * The name key of the registered account this session is logged in to; null for guests.
   * Server operators are accounts (docs/SERVER.md, "Operators"); the accounts feature sets it.
   */
  account: string | null = null;
  /** The client's address, as bans match it (set by the server when the connection arrives). */
  address = '';
  /** Marks a session once per delivery that reaches it through several rooms (leave, nick). */
  mark = 0;
  /** When the user last sent something (a message, a command), from the hub's clock: `/whois` idle time. */
  lastActive = 0;

  constructor(
    readonly id: number,
    readonly peer: Peer,
  ) {}

  /**
   * Adds a room the user is in. The list is copied at its new length by `concat`: a push (or a
   * spread) gives a one-room list space for 17, 128 bytes more on every idle connection, and
   * most users are in one room (#17).
   */
  addRoom(room: Room): void {
    this.rooms = this.rooms.concat([room]);
  }

  /** The current room's name, for protocols that fill it in (plain text). */
  get currentRoom(): string | null {
    return this.current?.name ?? null;
  }

  inRoom(room: Room): boolean {
    return room.members.has(this);
  }
}
