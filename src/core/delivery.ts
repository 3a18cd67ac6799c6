import type { Draft, LostRange, Origin } from './bus.js';
import type { Clock } from './clock.js';
import type { Directory } from './directory.js';
import type { Fanout } from './fanout.js';
import type {
  AckEvent,
  ActionEvent,
  BusEvent,
  FileEvent,
  JoinEvent,
  LeaveEvent,
  LeaveReason,
  MessageEvent,
  NickEvent,
  PartEvent,
  PrivateEvent,
  PublicEvent,
  Ref,
  ServerEvent,
  TopicEvent,
} from './events.js';
import type { FileDesk } from './files.js';
import type { HistoryDesk, RoomStore } from './history.js';
import { isModeration, type ModerationDesk } from './moderation/index.js';
import type { RefMemory } from './ref-memory.js';
import type { RemoteMembers } from './remote.js';
import { fail, listing, MAX_LISTED_USERS } from './replies.js';
import type { Room, Rooms } from './room.js';
import type { Session } from './session.js';

/** Receives every public event in order, before any user sees it (message history plugs in here). */
export interface Journal {
  record(event: PublicEvent): void;
}

/** Hands a draft to the bus, on behalf of `session` when it caused it. */
export type Publish = (draft: Draft, session?: Session, ref?: Ref, since?: number) => void;

/** What delivery works with: the hub's parts it reads and changes. */
export interface DeliveryParts {
  node: string;
  clock: Clock;
  directory: Directory;
  rooms: Rooms;
  fanout: Fanout;
  history: HistoryDesk;
  refs: RefMemory;
  moderation: () => ModerationDesk;
  remote: RemoteMembers | null;
  /** The event ranges a cluster's node lost, past an id (none on one node). */
  lostSince: ((since: number) => LostRange[]) | undefined;
  /** File transfer, told of each file announced (so it can be looked up later). */
  files: FileDesk | undefined;
  journal: Journal | undefined;
  roomStore: RoomStore | undefined;
  defaultRoom: string;
  /** Members past which a room's joins and leaves are summarised (0: never). */
  busyRoom: number;
  publish: Publish;
  /** Ends a local session (says goodbye, closes it; a leave is published unless `replaced`). */
  detach: (session: Session, reason: LeaveReason) => void;
}

/** A busy room's joins and leaves since the last summary. */
interface Presence {
  joined: string[];
  joinedCount: number;
  left: string[];
  leftCount: number;
}

/**
 * The bus's sink: each event, this node's and others', in the bus's order, reaches those it
 * concerns. Public events are journaled before anyone sees them; the session that caused an
 * event gets its answer here.
 */
export class Delivery {
  private readonly presence = new Map<Room, Presence>();

  constructor(private readonly p: DeliveryParts) {}

  readonly deliver = (event: BusEvent, origin: Origin | undefined): void => {
    if (event.type === 'leave' && origin?.replaced === this.p.node) this.endReplaced(event.name);
    this.deliverEvent(event, origin);
    if (this.p.remote !== null && origin?.node !== this.p.node) this.p.remote.apply(event, origin);
  };

  /**
   * A client took this node's user's name over on another node: the session here (a connection
   * that may still look alive, half-open) ends without a leave of its own — the cluster already
   * announced it, and a second one would say "left" of a name that is back.
   */
  private endReplaced(name: string): void {
    const session = this.p.directory.find(name);
    if (session && !this.p.remote?.isRemote(session)) this.p.detach(session, 'replaced');
  }

  /**
   * What the bus could not take (a cluster's store unreachable): its sender is told, nothing is
   * acknowledged; a join that never reached the others leaves the name free again.
   */
  readonly refused = (draft: Draft, origin: Origin | undefined): void => {
    const from = this.sender(origin);
    if (!from || from.closed) return;
    fail(from, 'CLUSTER_DOWN', { kind: 'none' }, origin?.ref);
    if (draft.type === 'join' && draft.connected) this.p.directory.release(from);
  };

  /**
   * Tells each busy room's members who joined and left since the last call, in one event; the
   * server calls it once a second (docs/PROTOCOL.md, "Busy rooms").
   */
  flushPresence(): void {
    if (this.presence.size === 0) return;
    const ts = this.p.clock.now();
    for (const [room, p] of this.presence) {
      const event: ServerEvent = { type: 'presence', ts, room: room.name, ...p };
      this.p.fanout.toRoom(room, event);
    }
    this.presence.clear();
  }

  /** Makes `room` the session's current room, adding it as a member. */
  enter(session: Session, room: Room): void {
    this.p.fanout.moving(session);
    room.members.add(session);
    session.addRoom(room);
    session.current = room;
  }

  /** A client resuming from `since` is told of the events this node lost past it (a cluster's). */
  tellLost(session: Session, since: number | undefined): void {
    if (since === undefined || !this.p.lostSince) return;
    for (const { from, to } of this.p.lostSince(since)) {
      session.peer.send({ type: 'notice', code: 'EVENTS_LOST', detail: { kind: 'lost', from, to } });
    }
  }

  /** Sends the session what it missed of `room` (since an id, or the last messages). */
  replay(session: Session, room: Room, since: number | undefined): void {
    const replay = this.p.history.replay(session, room.name, room.key, since);
    if (replay) session.peer.send(replay);
  }

  /**
   * Takes the session out of `room` (a part, a kick); returns the room that became its current
   * one instead, if `room` was current and another is left.
   */
  removeFromRoom(session: Session, room: Room): Room | undefined {
    this.p.fanout.moving(session);
    const at = session.rooms.indexOf(room);
    room.members.delete(session);
    session.rooms.splice(at, 1);
    this.p.history.forget(session, room.key);
    this.p.rooms.dropIfEmpty(room);
    if (session.current !== room || session.rooms.length === 0) return undefined;
    const next = (session.rooms[at] ?? session.rooms[at - 1]) as Room;
    session.current = next;
    return next;
  }

  /** Remembers a room's spelling and topic across restarts. */
  saveRoom(room: Room): void {
    this.p.roomStore?.saveRoom({
      name: room.name,
      topic: room.topic,
      topicBy: room.topicBy,
      topicTs: room.topicTs,
    });
  }

  private sender(origin: Origin | undefined): Session | undefined {
    return origin?.node === this.p.node ? this.p.directory.session(origin.session) : undefined;
  }

  private deliverEvent(event: BusEvent, origin: Origin | undefined): void {
    const from = this.sender(origin);
    const ref = origin?.ref;
    if (isModeration(event))
      return this.p.moderation().deliver(event, from, ref, origin?.node === this.p.node);
    if (event.type !== 'private' && event.type !== 'file') this.p.journal?.record(event);
    switch (event.type) {
      case 'message':
      case 'action':
        return this.deliverMessage(event, from, ref);
      case 'private':
        return this.deliverPrivate(event, from, ref);
      case 'join':
        return this.deliverJoin(event, from, ref, origin?.since);
      case 'part':
        return this.deliverPart(event, from, ref);
      case 'topic':
        return this.deliverTopic(event, from, ref);
      case 'leave':
      case 'nick':
        return this.deliverToSharers(event, from, ref);
      case 'file':
        return this.deliverFile(event);
    }
  }

  /** A room file to the room's members; a private one to its recipient and its sender. */
  private deliverFile(event: FileEvent): void {
    this.p.files?.announced(event);
    if (event.room !== undefined) {
      const room = this.p.rooms.get(event.room);
      if (room) for (const s of room.members) s.peer.send(event);
      return;
    }
    const to = this.p.directory.find(event.to ?? '');
    to?.peer.send(event);
    const from = this.p.directory.find(event.from);
    if (from && from !== to) from.peer.send(event);
  }

  private deliverMessage(
    event: MessageEvent | ActionEvent,
    from: Session | undefined,
    ref: Ref | undefined,
  ): void {
    const room = this.p.rooms.get(event.room);
    if (room) this.p.fanout.toRoom(room, event, from);
    if (!from) return;
    const ack: AckEvent = { type: 'ack', ref, id: event.id, ts: event.ts, of: event.type, room: event.room };
    this.p.refs.remember(from.token, ack, event.text);
    from.peer.send(ack);
  }

  private deliverPrivate(event: PrivateEvent, from: Session | undefined, ref: Ref | undefined): void {
    this.p.directory.find(event.to)?.peer.send(event);
    if (!from) return;
    const { id, ts, to, text } = event;
    const ack: AckEvent = { type: 'ack', ref, id, ts, of: 'private', to, text };
    this.p.refs.remember(from.token, ack, text);
    from.peer.send(ack);
  }

  private deliverJoin(
    event: JoinEvent,
    from: Session | undefined,
    ref: Ref | undefined,
    since: number | undefined,
  ): void {
    const { room, created } = this.p.rooms.open(event.room);
    if (created) this.saveRoom(room);
    if (created && from && !from.closed) this.p.moderation().roomCreated(room, from);
    if (this.isBusy(room)) this.notePresence(room, event.name, 'joined');
    else this.p.fanout.toRoom(room, event);
    if (!from || from.closed) return this.p.rooms.dropIfEmpty(room);
    this.enter(from, room);
    if (event.connected) {
      const name = from.name as string;
      from.peer.send({
        type: 'welcome',
        name,
        token: from.token as string,
        ...listing(room),
        resumed: false,
      });
      this.tellLost(from, since);
    } else {
      from.peer.send({ type: 'room', topic: room.topic, ...listing(room), ref });
    }
    this.replay(from, room, since);
  }

  private deliverPart(event: PartEvent, from: Session | undefined, ref: Ref | undefined): void {
    const room = this.p.rooms.get(event.room);
    if (!room) return;
    if (this.isBusy(room)) {
      this.notePresence(room, event.name, 'left');
      // The parter is told at once all the same: it asked.
      if (from?.inRoom(room)) from.peer.send(event);
    } else this.p.fanout.toRoom(room, event);
    if (!from || !from.inRoom(room)) return;
    const next = this.removeFromRoom(from, room);
    from.peer.send({ type: 'ack', ref, id: event.id, ts: event.ts, of: 'part_room', room: room.name });
    // Parting the last room puts the user back in the default room.
    if (from.rooms.length === 0)
      return this.p.publish({ type: 'join', room: this.p.defaultRoom, name: from.name as string }, from);
    if (next) from.peer.send({ type: 'room', topic: next.topic, ...listing(next) });
  }

  private deliverTopic(event: TopicEvent, from: Session | undefined, ref: Ref | undefined): void {
    const room = this.p.rooms.get(event.room);
    if (!room) return;
    room.topic = event.text;
    room.topicBy = event.by;
    room.topicTs = event.ts;
    this.saveRoom(room);
    this.p.fanout.toRoom(room, event);
    from?.peer.send({ type: 'ack', ref, id: event.id, ts: event.ts, of: 'topic', room: room.name });
  }

  /** A leave or a rename: once to each user who shares a room with its subject (and, for a rename, the subject). */
  private deliverToSharers(
    event: LeaveEvent | NickEvent,
    from: Session | undefined,
    ref: Ref | undefined,
  ): void {
    const rooms: Room[] = [];
    for (const name of event.rooms) {
      const room = this.p.rooms.get(name);
      if (!room) continue;
      if (event.type === 'leave' && this.isBusy(room)) this.notePresence(room, event.name, 'left');
      else rooms.push(room);
    }
    if (from && event.type === 'nick') {
      from.peer.send(event);
      from.peer.send({ type: 'ack', ref, id: event.id, ts: event.ts, of: 'nick', name: event.new });
    }
    this.p.fanout.toRooms(rooms, event, from);
  }

  private isBusy(room: Room): boolean {
    return this.p.busyRoom > 0 && room.members.size > this.p.busyRoom;
  }

  private notePresence(room: Room, name: string, what: 'joined' | 'left'): void {
    let p = this.presence.get(room);
    if (!p) this.presence.set(room, (p = { joined: [], joinedCount: 0, left: [], leftCount: 0 }));
    if (what === 'joined') {
      if (p.joined.length < MAX_LISTED_USERS) p.joined.push(name);
      p.joinedCount++;
    } else {
      if (p.left.length < MAX_LISTED_USERS) p.left.push(name);
      p.leftCount++;
    }
  }
}
