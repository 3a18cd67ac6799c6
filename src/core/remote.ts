import type { Origin } from './bus.js';
import type { Directory } from './directory.js';
import type { BusEvent } from './events.js';
import type { Room, Rooms } from './room.js';
import type { Peer, Session } from './session.js';

/** A user connected to another node: nothing to send to here (its node delivers to it). */
class RemotePeer implements Peer {
  constructor(public node: string) {}
  send(): void {}
  close(): void {}
}

/** One user of another node as a snapshot lists it. */
export interface RemoteUser {
  name: string;
  node: string;
  rooms: string[];
  /** Where it connected from, and its account (as its arrival's origin said). */
  address?: string;
  account?: string | null;
}

/**
 * Users of other nodes, kept as lightweight sessions in this node's Directory and Rooms, so
 * `/who`, `/rooms`, a joiner's user list and private messages see the whole cluster. Every
 * join, part, leave and rename comes through the bus in one order to every node: applying each
 * one after it is delivered keeps every node's view the same.
 */
export class RemoteMembers {
  constructor(
    private readonly directory: Directory,
    private readonly rooms: Rooms,
  ) {}

  isRemote(session: Session): boolean {
    return session.peer instanceof RemotePeer;
  }

  /** The node a remote user is on (null for a local one). */
  nodeOf(session: Session): string | null {
    return session.peer instanceof RemotePeer ? session.peer.node : null;
  }

  /** Applies one delivered event that another node published (or that carries no origin). */
  apply(event: BusEvent, origin: Origin | undefined): void {
    switch (event.type) {
      case 'join': {
        if (!origin) return;
        let user = this.directory.find(event.name);
        if (user && !this.isRemote(user)) return;
        if (!user) user = this.add(event.name, origin.node);
        else (user.peer as RemotePeer).node = origin.node;
        if (origin.address !== undefined) user.address = origin.address;
        if (origin.account !== undefined) user.account = origin.account;
        this.enter(user, event.room);
        return;
      }
      case 'part': {
        const user = this.remoteUser(event.name);
        const room = this.rooms.get(event.room);
        if (!user || !room) return;
        this.leaveRoom(user, room);
        return;
      }
      case 'leave': {
        const user = this.remoteUser(event.name);
        if (user) this.drop(user);
        return;
      }
      case 'nick': {
        const user = this.remoteUser(event.old);
        if (user) this.directory.rename(user, event.new);
        return;
      }
      default:
        return;
    }
  }

  /** Loads a snapshot of other nodes' users (a node starting while others run). */
  load(users: readonly RemoteUser[]): void {
    for (const u of users) {
      if (this.directory.find(u.name)) continue;
      const user = this.add(u.name, u.node);
      user.address = u.address ?? '';
      user.account = u.account ?? null;
      for (const room of u.rooms) this.enter(user, room);
    }
  }

  /** Every remote user on `node`. */
  ofNode(node: string): Session[] {
    const out: Session[] = [];
    for (const s of this.directory.all()) if (this.nodeOf(s) === node && s.name !== null) out.push(s);
    return out;
  }

  /** Forgets a remote user here (it left, or is taken over by a local session). */
  drop(user: Session): void {
    for (const room of user.rooms) {
      room.members.delete(user);
      this.rooms.dropIfEmpty(room);
    }
    user.rooms = [];
    user.current = null;
    user.closed = true;
    this.directory.remove(user);
  }

  private remoteUser(name: string): Session | undefined {
    const user = this.directory.find(name);
    return user && this.isRemote(user) ? user : undefined;
  }

  private add(name: string, node: string): Session {
    const user = this.directory.attach(new RemotePeer(node));
    this.directory.claim(user, name);
    return user;
  }

  private enter(user: Session, name: string): void {
    const { room } = this.rooms.open(name);
    if (!user.inRoom(room)) {
      room.members.add(user);
      user.addRoom(room);
    }
    user.current = room;
  }

  private leaveRoom(user: Session, room: Room): void {
    room.members.delete(user);
    const at = user.rooms.indexOf(room);
    if (at >= 0) user.rooms.splice(at, 1);
    if (user.current === room) user.current = user.rooms[0] ?? null;
    this.rooms.dropIfEmpty(room);
  }
}
