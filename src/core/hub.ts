import { Admission } from './admission.js';
import { LocalBus, type Bus, type Draft, type Origin } from './bus.js';
import type { NameClaims } from './claims.js';
import type { Clock } from './clock.js';
import { Delivery, type Journal } from './delivery.js';
import { Directory } from './directory.js';
import { DIRECT_FANOUT, type Fanout } from './fanout.js';
import type { ClientAction, LeaveReason, Ref } from './events.js';
import { checkOfferFields, mayLookUp, type FileDesk, type StoredFile } from './files.js';
import { DEFAULT_HISTORY_REPLAY, HistoryDesk, type HistorySource, type RoomStore } from './history.js';
import { accountCommand } from './account-commands.js';
import { Logins, type LoginOptions } from './logins.js';
import { isModeration, Moderation, ModerationDesk, type ModerationHost } from './moderation/index.js';
import { checkRoomName, nameKey } from './names.js';
import { RefMemory } from './ref-memory.js';
import { RemoteMembers } from './remote.js';
import { fail, listing, roomDetail } from './replies.js';
import { Rooms, type Room } from './room.js';
import { Session, type Peer } from './session.js';
import { MAX_MESSAGE_BYTES, sanitizeText, utf8Length } from './text.js';

export { Session, type Peer } from './session.js';
export type { Journal } from './delivery.js';
export { MAX_LISTED_USERS } from './replies.js';

/** The room everyone starts in unless configured otherwise (`--default-room`). */
export const DEFAULT_ROOM = '#geral';
/** Most rooms at once unless configured otherwise (`--max-rooms`). */
export const DEFAULT_MAX_ROOMS = 10_000;
/** Most rooms one user may be in unless configured otherwise (`--max-rooms-per-user`). */
export const DEFAULT_MAX_ROOMS_PER_USER = 20;
/** Longest `/part` reason shown to others, in characters. */
const MAX_REASON_CHARS = 200;
/** Members past which a room's joins and leaves are summarised once a second (`--busy-room`). */
export const DEFAULT_BUSY_ROOM = 200;

export interface HubOptions {
  clock: Clock;
  /** Returns a fresh unguessable session token. */
  newToken(): string;
  /** Where events are numbered and come back from (default: this process's own bus). */
  bus?: Bus;
  /** With the default bus: the id of the first event (history continues its numbering). */
  firstEventId?: number;
  /** This node's name on the bus (events it published come back carrying it). */
  node?: string;
  /** How room events reach members (default: one send per member). */
  fanout?: Fanout;
  maxMessageBytes?: number;
  journal?: Journal;
  /** Stored messages for the replay on entering a room, `history` and `search`; none: history is off. */
  history?: HistorySource;
  /** Keeps rooms' spelling and topics across restarts. */
  roomStore?: RoomStore;
  /** Messages replayed to a user who enters a room (default 50; 0: none). */
  historyReplay?: number;
  defaultRoom?: string;
  maxRooms?: number;
  maxRoomsPerUser?: number;
  /**
   * Members past which a room's joins and leaves are not told one by one but summarised each
   * time `flushPresence` runs (0: never): in a room of thousands, one notice per join is most of
   * the server's work during a join storm.
   */
  busyRoom?: number;
  /** Accounts, look-alike and reserved names (docs/ARCHITECTURE.md, "Accounts"). */
  logins?: LoginOptions;
  /** Bans, mutes and operators (default: in memory only, no server operators). */
  moderation?: Moderation;
  /** Where names are claimed beyond this node (a cluster); none: the Directory alone decides, at once. */
  claims?: NameClaims;
  /** File transfer (#14); none: `file_offer` is answered FILES_OFF. */
  files?: FileDesk;
}

type Reply = Parameters<Peer['send']>[0];

/**
 * The chat: users, rooms, messages. No I/O: transports drive it through `handle`, and every
 * event a user causes goes out through the bus and is delivered when it comes back
 * (`Delivery`); who holds which name is `Admission`'s.
 */
export class Hub {
  readonly bus: Bus;
  readonly directory = new Directory();
  readonly rooms: Rooms;
  readonly defaultRoom: string;
  private readonly clock: Clock;
  private readonly node: string;
  private readonly maxMessageBytes: number;
  private readonly maxRooms: number;
  private readonly maxRoomsPerUser: number;
  private readonly history: HistoryDesk;
  private readonly files: FileDesk | undefined;
  private readonly logins: Logins;
  /** Kick, ban, mute, op: the rules live in core/moderation (docs/ARCHITECTURE.md, "Moderation"). */
  readonly moderation: ModerationDesk;
  private readonly fanout: Fanout;
  /** Acks of messages by `ref`, so a line sent again after a lost connection is not posted twice. */
  private readonly refs = new RefMemory();
  /** With name claims (a cluster): other nodes' users, kept as the bus's events tell. */
  readonly remote: RemoteMembers | null;
  private readonly delivery: Delivery;
  private readonly admission: Admission;

  constructor(options: HubOptions) {
    this.clock = options.clock;
    this.node = options.node ?? 'local';
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.maxRooms = options.maxRooms ?? DEFAULT_MAX_ROOMS;
    this.maxRoomsPerUser = options.maxRoomsPerUser ?? DEFAULT_MAX_ROOMS_PER_USER;
    this.fanout = options.fanout ?? DIRECT_FANOUT;
    this.files = options.files;
    this.history = new HistoryDesk(options.history, options.historyReplay ?? DEFAULT_HISTORY_REPLAY);
    const saved = new Map((options.roomStore?.savedRooms() ?? []).map((r) => [nameKey(r.name), r]));
    this.rooms = new Rooms(saved);
    this.defaultRoom =
      saved.get(nameKey(options.defaultRoom ?? DEFAULT_ROOM))?.name ?? options.defaultRoom ?? DEFAULT_ROOM;
    const send = (session: Session, event: Reply) => {
      if (!session.closed) session.peer.send(event);
    };
    const logins = options.logins ?? { wait: (_ms: number, fn: () => void) => fn() };
    this.logins = new Logins(logins, this.directory, this.clock, options.newToken, send);
    this.bus = options.bus ?? new LocalBus(this.clock, options.firstEventId ?? 1);
    this.remote = options.claims ? new RemoteMembers(this.directory, this.rooms) : null;
    this.moderation = new ModerationDesk(options.moderation ?? new Moderation(), this.moderationHost());
    // What both the delivery and the admission of users read and change.
    const shared = {
      clock: this.clock,
      directory: this.directory,
      rooms: this.rooms,
      defaultRoom: this.defaultRoom,
      fanout: this.fanout,
      refs: this.refs,
      remote: this.remote,
      publish: this.publish.bind(this),
    };
    this.delivery = new Delivery({
      ...shared,
      node: this.node,
      history: this.history,
      moderation: () => this.moderation,
      files: options.files,
      lostSince: this.bus.lostSince?.bind(this.bus),
      journal: options.journal,
      roomStore: options.roomStore,
      busyRoom: options.busyRoom ?? DEFAULT_BUSY_ROOM,
      detach: (session, reason) => this.detach(session, reason),
    });
    this.admission = new Admission({
      ...shared,
      newToken: options.newToken,
      logins: this.logins,
      moderation: this.moderation,
      claims: options.claims,
      delivery: this.delivery,
      detach: (session, reason) => this.detach(session, reason),
    });
    this.bus.connect(this.delivery.deliver, this.delivery.refused);
  }

  /**
   * True when `session` may post (say, /me, private messages, topics, files); otherwise it is
   * told MUTED and this returns false.
   */
  mayPost(session: Session, ref?: Ref): boolean {
    return this.moderation.mayPost(session, ref);
  }

  /** Refuses a connection from a banned address (the session is told why and closed): true if so. */
  refuseBanned(session: Session): boolean {
    return this.moderation.refuseAddress(session);
  }

  /** The id the next event will get (the store keeps it, so ids are never reused after a restart). */
  get nextEventId(): number {
    return this.bus.nextId;
  }

  /** Number of joined users. */
  get userCount(): number {
    return this.directory.userCount;
  }

  /** Names of the default room's members, in join order. */
  userNames(): string[] {
    return this.rooms.get(this.defaultRoom)?.memberNames() ?? [];
  }

  /** The joined session holding `name` (any letter case), if any. */
  findUser(name: string): Session | undefined {
    return this.directory.find(name);
  }

  /** True when the session was asked for a password (plain users' next line is one). */
  awaitsPassword(session: Session): boolean {
    return this.logins.awaitsPassword(session);
  }

  /** Registers a new connection; it joins later with a `join` action. */
  attach(peer: Peer): Session {
    return this.directory.attach(peer);
  }

  /** Carries out one client request. Every failure is answered with an `error` event. */
  handle(session: Session, action: ClientAction): void {
    if (session.closed) return;
    if (action.type === 'join') return this.admission.join(session, action);
    if (action.type === 'ping') return session.peer.send({ type: 'pong', ref: action.ref });
    if (action.type === 'quit') return this.detach(session, 'quit');
    if (action.type === 'auth') return this.logins.auth(session, action);
    if (session.name === null) return fail(session, 'NOT_JOINED', { kind: 'none' }, action.ref);
    session.lastActive = this.clock.now();
    const repeat = this.refs.repeatOf(session.token, action);
    if (repeat) return session.peer.send(repeat);
    if (isModeration(action)) return this.moderation.handle(session, action);
    switch (action.type) {
      case 'register':
      case 'password':
      case 'unregister':
      case 'whois':
        return accountCommand(this.logins, this.directory, this.clock, session, action);
      case 'say':
      case 'me':
        return this.say(session, action.type, action.text, action.room, action.ref);
      case 'msg':
        return this.privateMessage(session, action.to, action.text, action.ref);
      case 'nick':
        return this.admission.nick(session, action.name, action.ref);
      case 'who': {
        const room = this.rooms.get(action.room ?? this.defaultRoom);
        if (!room) return fail(session, 'NO_SUCH_ROOM', roomDetail(action.room), action.ref);
        return session.peer.send({
          type: 'users',
          room: room.name,
          users: room.memberNames(),
          ref: action.ref,
        });
      }
      case 'join_room':
        return this.joinRoom(session, action.room, action.since, action.ref);
      case 'part_room':
        return this.partRoom(session, action.room, action.reason, action.ref);
      case 'rooms':
        return session.peer.send({ type: 'rooms', rooms: this.rooms.list(), ref: action.ref });
      case 'topic':
        return this.topic(session, action.room, action.text, action.ref);
      case 'history': {
        const room = this.memberRoom(session, action.room, action.ref);
        if (room) this.history.page(session, room.name, room.key, action, this.replyTo(session));
        return;
      }
      case 'search': {
        const room = action.all ? null : this.memberRoom(session, action.room, action.ref);
        if (room === undefined) return;
        const rooms = room ? [room.name] : session.rooms.map((r) => r.name);
        return this.history.search(rooms, action, this.replyTo(session));
      }
      case 'file_offer':
        return this.fileOffer(session, action);
      case 'file_lookup':
        return this.fileLookup(session, action);
    }
  }

  /**
   * A file was received whole (the files adapter calls this): announced through the bus like
   * a message, to the room's members or to the recipient and the sender.
   */
  publishFile(file: StoredFile): void {
    // A sender muted while uploading is told so, and the file is not announced.
    const sender = this.directory.find(file.from);
    if (sender && !this.mayPost(sender)) return;
    this.publish({ type: 'file', ...file });
  }

  /**
   * Ends a session: says goodbye to it, tells those who shared a room with it that it left, and
   * closes the connection. Safe to call more than once.
   */
  detach(session: Session, reason: LeaveReason): void {
    if (session.closed) return;
    session.closed = true;
    this.directory.remove(session);
    this.logins.forget(session);
    this.refs.end(session.token);
    this.moderation.state.forgetSession(session.id);
    session.peer.send({ type: 'bye', reason });
    session.peer.close();
    this.fanout.moving(session);
    const rooms = session.rooms;
    session.rooms = [];
    session.current = null;
    for (const room of rooms) room.members.delete(session);
    // Replaced or name lost: the name is another session's now; a leave would be about it.
    if (session.name !== null && reason !== 'replaced' && reason !== 'name_lost') {
      const names = rooms.map((r) => r.name);
      this.publish({ type: 'leave', name: session.name, reason, rooms: names });
    }
    for (const room of rooms) this.rooms.dropIfEmpty(room);
  }

  /**
   * Tells each busy room's members who joined and left since the last call, in one event; the
   * server calls it once a second (docs/PROTOCOL.md, "Busy rooms").
   */
  flushPresence(): void {
    this.delivery.flushPresence();
  }

  /** Tells everyone the server is stopping and closes every session. */
  shutdown(): void {
    const notice: Reply = { type: 'notice', code: 'SHUTDOWN', detail: { kind: 'none' } };
    const bye: Reply = { type: 'bye', reason: 'shutdown' };
    for (const session of this.directory.all()) {
      session.closed = true;
      session.peer.send(notice);
      session.peer.send(bye);
      session.peer.close();
    }
    this.directory.clear();
  }

  private joinRoom(session: Session, name: string, since: number | undefined, ref: Ref | undefined): void {
    const check = checkRoomName(name);
    if (!check.ok) return fail(session, 'ROOM_INVALID', { kind: 'room_name', problem: check.problem }, ref);
    const existing = this.rooms.get(check.name);
    if (existing && session.inRoom(existing)) {
      this.fanout.moving(session);
      session.current = existing;
      return session.peer.send({ type: 'room', topic: existing.topic, ...listing(existing), ref });
    }
    if (session.rooms.length >= this.maxRoomsPerUser) {
      return fail(session, 'ROOM_LIMIT', { kind: 'limit', limit: this.maxRoomsPerUser }, ref);
    }
    if (!existing && this.rooms.size >= this.maxRooms) {
      return fail(session, 'TOO_MANY_ROOMS', { kind: 'limit', limit: this.maxRooms }, ref);
    }
    const lookAlike = existing ? undefined : this.rooms.lookAlike(check.name);
    if (lookAlike) return fail(session, 'NAME_CONFUSABLE', { kind: 'confusable', name: lookAlike }, ref);
    // A room created before keeps its first spelling, in the event as in the room.
    const room = this.rooms.displayName(check.name);
    this.publish({ type: 'join', room, name: session.name as string }, session, ref, since);
  }

  private partRoom(
    session: Session,
    name: string | undefined,
    reason: string | undefined,
    ref: Ref | undefined,
  ): void {
    const room = this.memberRoom(session, name, ref);
    if (!room) return;
    if (session.rooms.length === 1 && room.key === nameKey(this.defaultRoom)) {
      return fail(session, 'LAST_ROOM', roomDetail(room.name), ref);
    }
    const why = reason === undefined ? '' : sanitizeText(reason.trim()).slice(0, MAX_REASON_CHARS);
    const part = { type: 'part', room: room.name, name: session.name as string } as const;
    this.publish(why ? { ...part, reason: why } : part, session, ref);
  }

  private topic(
    session: Session,
    name: string | undefined,
    raw: string | undefined,
    ref: Ref | undefined,
  ): void {
    if (raw === undefined) {
      const room = this.rooms.get(name ?? this.defaultRoom);
      if (!room) return fail(session, 'NO_SUCH_ROOM', roomDetail(name), ref);
      return session.peer.send({ type: 'topic_info', room: room.name, text: room.topic, ref });
    }
    const room = this.memberRoom(session, name, ref);
    if (!room || !this.mayPost(session, ref)) return;
    // An empty topic clears it.
    const text = raw.trim() === '' ? '' : this.checkText(session, raw, ref);
    if (text === null) return;
    this.publish({ type: 'topic', room: room.name, by: session.name as string, text }, session, ref);
  }

  private say(
    session: Session,
    kind: 'say' | 'me',
    raw: string,
    name: string | undefined,
    ref: Ref | undefined,
  ): void {
    const room = this.memberRoom(session, name, ref);
    if (!room || !this.mayPost(session, ref)) return;
    const text = this.checkText(session, raw, ref);
    if (text === null) return;
    const from = session.name as string;
    this.publish({ type: kind === 'say' ? 'message' : 'action', room: room.name, from, text }, session, ref);
  }

  private privateMessage(session: Session, to: string, raw: string, ref: Ref | undefined): void {
    const target = this.directory.find(to);
    if (!target) return fail(session, 'NO_SUCH_USER', { kind: 'user', name: sanitizeText(to) }, ref);
    if (!this.mayPost(session, ref)) return;
    const text = this.checkText(session, raw, ref);
    if (text === null) return;
    this.publish(
      { type: 'private', from: session.name as string, to: target.name as string, text },
      session,
      ref,
    );
  }

  /** A file's event again, to a user who may see it; unknown and not-yours answer alike. */
  private fileLookup(session: Session, action: Extract<ClientAction, { type: 'file_lookup' }>): void {
    if (!this.files) return fail(session, 'FILES_OFF', { kind: 'none' }, action.ref);
    const event = this.files.lookup(action.id);
    const rooms = session.rooms.map((r) => r.name);
    if (!event || session.name === null || !mayLookUp(event, session.name, rooms)) {
      return fail(session, 'NO_SUCH_FILE', { kind: 'none' }, action.ref);
    }
    session.peer.send(event);
  }

  /** Checks who a file goes to, then asks the files port for an upload slot. */
  private fileOffer(session: Session, action: Extract<ClientAction, { type: 'file_offer' }>): void {
    const { ref } = action;
    if (!this.files) return fail(session, 'FILES_OFF', { kind: 'none' }, ref);
    if (!this.mayPost(session, ref)) return;
    const fields = checkOfferFields(action.name, action.sha256);
    if (!fields.ok) return fail(session, fields.code, fields.detail, ref);
    let target: { room: string } | { to: string };
    if (action.to !== undefined) {
      const user = this.directory.find(action.to);
      if (!user) return fail(session, 'NO_SUCH_USER', { kind: 'user', name: sanitizeText(action.to) }, ref);
      target = { to: user.name as string };
    } else {
      const room = this.memberRoom(session, action.room ?? session.currentRoom ?? undefined, ref);
      if (!room) return;
      target = { room: room.name };
    }
    const { size, sha256 } = action;
    const from = session.name as string;
    const slot = this.files.openSlot({ from, ...target, name: fields.name, size, sha256 });
    if (!slot.ok) return fail(session, slot.code, slot.detail, ref);
    session.peer.send({ type: 'upload_slot', url: slot.url, size: slot.size, offset: slot.offset, ref });
  }

  /** The room `name` names (the default room when absent), if the user is in it; else says why. */
  private memberRoom(session: Session, name: string | undefined, ref: Ref | undefined): Room | undefined {
    const room = this.rooms.get(name ?? this.defaultRoom);
    if (room && session.inRoom(room)) return room;
    const code = room || name === undefined ? 'NOT_IN_ROOM' : 'NO_SUCH_ROOM';
    fail(session, code, roomDetail(name ?? this.defaultRoom), ref);
    return undefined;
  }

  /** Returns the text made safe, or null after telling the sender why it was refused. */
  private checkText(session: Session, raw: string, ref: Ref | undefined): string | null {
    const trimmed = raw.trim();
    if (trimmed.length === 0) {
      fail(session, 'EMPTY_MESSAGE', { kind: 'none' }, ref);
      return null;
    }
    // The limit counts what the sender sent, before controls are made visible.
    const bytes = utf8Length(trimmed);
    if (bytes > this.maxMessageBytes) {
      fail(session, 'MESSAGE_TOO_LONG', { kind: 'size', bytes, limit: this.maxMessageBytes }, ref);
      return null;
    }
    return sanitizeText(trimmed);
  }

  private publish(draft: Draft, session?: Session, ref?: Ref, since?: number): void {
    let origin: Origin | undefined;
    if (session) {
      origin = { node: this.node, session: session.id };
      if (ref !== undefined) origin.ref = ref;
      if (since !== undefined) origin.since = since;
      if (draft.type === 'join' && draft.connected && this.remote) {
        origin.address = session.address;
        origin.account = session.account;
      }
    }
    this.bus.publish(draft, origin);
  }

  /** What moderation may do in the hub (core/moderation/desk.ts). */
  private moderationHost(): ModerationHost {
    return {
      defaultRoom: this.defaultRoom,
      now: () => this.clock.now(),
      find: (name) => this.directory.find(name),
      room: (name) => this.rooms.get(name),
      isLocal: (session) => !this.remote?.isRemote(session),
      sessions: () => this.directory.all(),
      publish: (draft, session, ref) => this.publish(draft, session, ref),
      fail,
      detach: (session, reason) => this.detach(session, reason),
      toRooms: (rooms, event, except) => this.fanout.toRooms(rooms, event, except),
      removeFromRoom: (session, room) => {
        const next = this.delivery.removeFromRoom(session, room);
        if (next) session.peer.send({ type: 'room', topic: next.topic, ...listing(next) });
      },
    };
  }

  private replyTo(session: Session): (event: Reply) => void {
    // A history page or search may be answered later: by then the user may have left.
    return (event) => {
      if (!session.closed) session.peer.send(event);
    };
  }
}
