import { LocalBus, type Bus, type Draft, type Origin } from './bus.js';
import type { NameClaims } from './claims.js';
import type { Clock } from './clock.js';
import { Directory } from './directory.js';
import { DIRECT_FANOUT, type Fanout } from './fanout.js';
import type { ErrorCode } from './errors.js';
import type {
  AckEvent,
  ActionEvent,
  BusEvent,
  ClientAction,
  ErrorDetail,
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
import { checkOfferFields, type FileDesk, type StoredFile } from './files.js';
import { DEFAULT_HISTORY_REPLAY, HistoryDesk, type HistorySource, type RoomStore } from './history.js';
import { accountCommand } from './account-commands.js';
import { Logins, type LoginOptions } from './logins.js';
import { isModeration, Moderation, ModerationDesk, type ModerationHost } from './moderation/index.js';
import { checkName, checkRoomName, nameKey } from './names.js';
import { RefMemory } from './ref-memory.js';
import { RemoteMembers } from './remote.js';
import { Room, Rooms } from './room.js';
import { Session, type Peer } from './session.js';
import { MAX_MESSAGE_BYTES, sanitizeText, utf8Length } from './text.js';

export { Session, type Peer } from './session.js';

/** Receives every public event in order, before any user sees it (message history plugs in here). */
export interface Journal {
  record(event: PublicEvent): void;
}

/** The room everyone starts in unless configured otherwise (`--default-room`). */
export const DEFAULT_ROOM = '#geral';
/** Most rooms at once unless configured otherwise (`--max-rooms`). */
export const DEFAULT_MAX_ROOMS = 10_000;
/** Most rooms one user may be in unless configured otherwise (`--max-rooms-per-user`). */
export const DEFAULT_MAX_ROOMS_PER_USER = 20;
/** Longest `/part` reason shown to others, in characters. */
const MAX_REASON_CHARS = 200;
/** Names a joiner is shown of a room's members (and a presence summary lists): the rest are counted. */
export const MAX_LISTED_USERS = 100;
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

/** A busy room's joins and leaves since the last summary. */
interface Presence {
  joined: string[];
  joinedCount: number;
  left: string[];
  leftCount: number;
}

type Reply = Parameters<Peer['send']>[0];

/**
 * The chat: users, rooms, messages. No I/O: transports drive it through `handle`, and every
 * event a user causes goes out through the bus and is delivered when it comes back.
 */
export class Hub {
  readonly bus: Bus;
  readonly directory = new Directory();
  readonly rooms: Rooms;
  readonly defaultRoom: string;
  private readonly clock: Clock;
  private readonly newToken: () => string;
  private readonly node: string;
  private readonly maxMessageBytes: number;
  private readonly maxRooms: number;
  private readonly maxRoomsPerUser: number;
  private readonly journal: Journal | undefined;
  private readonly roomStore: RoomStore | undefined;
  private readonly history: HistoryDesk;
  private readonly busyRoom: number;
  private readonly files: FileDesk | undefined;
  private readonly presence = new Map<Room, Presence>();
  private readonly logins: Logins;
  /** Kick, ban, mute, op: the rules live in core/moderation (docs/ARCHITECTURE.md, "Moderation"). */
  readonly moderation: ModerationDesk;
  private readonly fanout: Fanout;
  /** Acks of messages by `ref`, so a line sent again after a lost connection is not posted twice. */
  private readonly refs = new RefMemory();
  /** With name claims (a cluster): other nodes' users, kept as the bus's events tell. */
  readonly remote: RemoteMembers | null;
  private readonly claims: NameClaims | undefined;
  /** Name claims under way on this node: the session, by name key (one claim per name at a time). */
  private readonly claiming = new Map<string, Session>();

  constructor(options: HubOptions) {
    this.clock = options.clock;
    this.newToken = options.newToken;
    this.node = options.node ?? 'local';
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.maxRooms = options.maxRooms ?? DEFAULT_MAX_ROOMS;
    this.maxRoomsPerUser = options.maxRoomsPerUser ?? DEFAULT_MAX_ROOMS_PER_USER;
    this.busyRoom = options.busyRoom ?? DEFAULT_BUSY_ROOM;
    this.fanout = options.fanout ?? DIRECT_FANOUT;
    this.files = options.files;
    this.journal = options.journal;
    this.roomStore = options.roomStore;
    this.history = new HistoryDesk(options.history, options.historyReplay ?? DEFAULT_HISTORY_REPLAY);
    const saved = new Map((options.roomStore?.savedRooms() ?? []).map((r) => [nameKey(r.name), r]));
    this.rooms = new Rooms(saved);
    this.defaultRoom =
      saved.get(nameKey(options.defaultRoom ?? DEFAULT_ROOM))?.name ?? options.defaultRoom ?? DEFAULT_ROOM;
    const send = (session: Session, event: Reply) => {
      if (!session.closed) session.peer.send(event);
    };
    this.logins = new Logins(
      options.logins ?? { wait: (_ms, fn) => fn() },
      this.directory,
      this.clock,
      this.newToken,
      send,
    );
    this.bus = options.bus ?? new LocalBus(this.clock, options.firstEventId ?? 1);
    this.claims = options.claims;
    this.remote = this.claims ? new RemoteMembers(this.directory, this.rooms) : null;
    this.bus.connect(this.deliver, this.refused);
    this.moderation = new ModerationDesk(options.moderation ?? new Moderation(), this.moderationHost());
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
    if (action.type === 'join') return this.join(session, action);
    if (action.type === 'ping') return session.peer.send({ type: 'pong', ref: action.ref });
    if (action.type === 'quit') return this.detach(session, 'quit');
    if (action.type === 'auth') return this.logins.auth(session, action);
    if (session.name === null) return this.fail(session, 'NOT_JOINED', { kind: 'none' }, action.ref);
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
        return this.nick(session, action.name, action.ref);
      case 'who': {
        const room = this.rooms.get(action.room ?? this.defaultRoom);
        if (!room) return this.fail(session, 'NO_SUCH_ROOM', roomDetail(action.room), action.ref);
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
    if (session.name !== null && reason !== 'replaced') {
      const names = rooms.map((r) => r.name);
      this.publish({ type: 'leave', name: session.name, reason, rooms: names });
    }
    for (const room of rooms) this.rooms.dropIfEmpty(room);
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

  private join(session: Session, action: Extract<ClientAction, { type: 'join' }>): void {
    const { token, since, ref } = action;
    if (session.name !== null || this.isClaiming(session))
      return this.fail(session, 'ALREADY_JOINED', { kind: 'none' }, ref);
    const check = checkName(action.name);
    if (!check.ok) return this.fail(session, 'NAME_INVALID', { kind: 'name', problem: check.problem }, ref);
    if (!this.moderation.allowName(session, nameKey(check.name), ref, true)) return;
    const holder = this.directory.find(check.name);
    if (holder && this.remote?.isRemote(holder)) {
      // Held on another node: only the holder's session token takes it over (its node died).
      if (token === undefined)
        return this.fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: holder.name as string }, ref);
      return this.claimJoin(session, check.name, action, null);
    }
    if (holder) {
      // Only the holder's own session token takes a name back from a dead ("ghost") connection.
      if (token === undefined || holder.token === null || token !== holder.token) {
        return this.fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: holder.name as string }, ref);
      }
      // The name stays as the others know it, whatever letter case the reconnecting client used.
      return this.resume(session, holder, holder.name as string, since);
    }
    this.logins.join(session, check.name, action, (account) =>
      this.admit(session, check.name, account, action),
    );
  }

  /** Joins a session under a name it may use (proven if registered: `account`). */
  private admit(
    session: Session,
    name: string,
    account: string | null,
    action: Extract<ClientAction, { type: 'join' }>,
  ): void {
    if (session.closed || session.name !== null) return;
    // The login may have taken a while (a password hashes off the event loop): the name may be gone.
    if (this.claims) return this.claimJoin(session, name, action, account);
    const holder = this.directory.find(name);
    if (holder)
      return this.fail(
        session,
        'NAME_TAKEN',
        { kind: 'name_taken', name: holder.name as string },
        action.ref,
      );
    this.directory.claim(session, name);
    session.account = account;
    session.lastActive = this.clock.now();
    session.token = this.newToken();
    this.refs.carry(action.token, session.token);
    this.publish(
      { type: 'join', room: this.defaultRoom, name, connected: true },
      session,
      action.ref,
      action.since,
    );
  }

  /** A cluster's join: the name is claimed cluster-wide first, then joined as on one node. */
  private claimJoin(
    session: Session,
    name: string,
    action: Extract<ClientAction, { type: 'join' }>,
    account: string | null,
  ): void {
    const claims = this.claims as NameClaims;
    const key = nameKey(name);
    if (this.claiming.has(key)) return this.refuseClaim(session, name, 'taken', action.ref);
    const token = this.newToken();
    this.claiming.set(key, session);
    claims.claim(name, key, token, action.token, (result) => {
      this.claiming.delete(key);
      if (session.closed) return result === 'ok' ? claims.release(key) : undefined;
      if (result !== 'ok') return this.refuseClaim(session, name, result, action.ref);
      // A remote holder whose token this client presented: its node died; this session takes over.
      const ghost = this.directory.find(name);
      if (ghost) this.remote?.drop(ghost);
      this.directory.claim(session, name);
      session.account = account;
      session.lastActive = this.clock.now();
      session.token = token;
      const draft = { type: 'join', room: this.defaultRoom, name, connected: true } as const;
      this.publish(draft, session, action.ref, action.since);
    });
  }

  private isClaiming(session: Session): boolean {
    for (const s of this.claiming.values()) if (s === session) return true;
    return false;
  }

  private refuseClaim(session: Session, name: string, result: 'taken' | 'down', ref: Ref | undefined): void {
    if (result === 'down') return this.fail(session, 'CLUSTER_DOWN', { kind: 'none' }, ref);
    this.fail(
      session,
      'NAME_TAKEN',
      { kind: 'name_taken', name: this.directory.find(name)?.name ?? name },
      ref,
    );
  }

  /** The session takes over a dead connection's name and rooms, without notices to others. */
  private resume(session: Session, holder: Session, name: string, since: number | undefined): void {
    const rooms = holder.rooms;
    const current = holder.current;
    // The dead connection leaves its rooms' member lists: the new one takes its place there.
    this.fanout.moving(holder);
    for (const room of rooms) room.members.delete(holder);
    holder.rooms = [];
    this.moderation.state.moveSession(holder.id, session.id);
    this.detach(holder, 'replaced');
    this.directory.claim(session, name);
    session.account = holder.account;
    session.lastActive = this.clock.now();
    session.token = this.newToken();
    this.fanout.moving(session);
    this.refs.carry(holder.token, session.token);
    if (session.key !== null) this.claims?.retoken?.(session.key, session.token);
    session.rooms = rooms;
    session.current = current;
    for (const room of rooms) room.members.add(session);
    const here = current ?? this.rooms.open(this.defaultRoom).room;
    if (!current) this.enter(session, here);
    session.peer.send({ type: 'welcome', name, token: session.token, ...listing(here), resumed: true });
    this.tellLost(session, since);
    this.replay(session, here, since);
    for (const room of session.rooms) {
      if (room === here) continue;
      session.peer.send({ type: 'room', topic: room.topic, ...listing(room) });
      this.replay(session, room, since);
    }
  }

  private joinRoom(session: Session, name: string, since: number | undefined, ref: Ref | undefined): void {
    const check = checkRoomName(name);
    if (!check.ok)
      return this.fail(session, 'ROOM_INVALID', { kind: 'room_name', problem: check.problem }, ref);
    const existing = this.rooms.get(check.name);
    if (existing && session.inRoom(existing)) {
      this.fanout.moving(session);
      session.current = existing;
      return session.peer.send({ type: 'room', topic: existing.topic, ...listing(existing), ref });
    }
    if (session.rooms.length >= this.maxRoomsPerUser) {
      return this.fail(session, 'ROOM_LIMIT', { kind: 'limit', limit: this.maxRoomsPerUser }, ref);
    }
    if (!existing && this.rooms.size >= this.maxRooms) {
      return this.fail(session, 'TOO_MANY_ROOMS', { kind: 'limit', limit: this.maxRooms }, ref);
    }
    const lookAlike = existing ? undefined : this.rooms.lookAlike(check.name);
    if (lookAlike) return this.fail(session, 'NAME_CONFUSABLE', { kind: 'confusable', name: lookAlike }, ref);
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
      return this.fail(session, 'LAST_ROOM', roomDetail(room.name), ref);
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
      if (!room) return this.fail(session, 'NO_SUCH_ROOM', roomDetail(name), ref);
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
    if (!target) return this.fail(session, 'NO_SUCH_USER', { kind: 'user', name: sanitizeText(to) }, ref);
    if (!this.mayPost(session, ref)) return;
    const text = this.checkText(session, raw, ref);
    if (text === null) return;
    this.publish(
      { type: 'private', from: session.name as string, to: target.name as string, text },
      session,
      ref,
    );
  }

  private nick(session: Session, requested: string, ref: Ref | undefined): void {
    const check = checkName(requested);
    if (!check.ok) return this.fail(session, 'NAME_INVALID', { kind: 'name', problem: check.problem }, ref);
    if (!this.moderation.mayRename(session, ref)) return;
    if (!this.moderation.allowName(session, nameKey(check.name), ref, false)) return;
    const holder = this.directory.find(check.name);
    if (holder && holder !== session) {
      return this.fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: holder.name as string }, ref);
    }
    const old = session.name as string;
    if (old === check.name) return this.fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: old }, ref);
    this.logins.checkNick(session, check.name, ref, () => this.rename(session, check.name, ref));
  }

  private rename(session: Session, name: string, ref: Ref | undefined): void {
    const holder = this.directory.find(name);
    if (holder && holder !== session)
      return this.fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: holder.name as string }, ref);
    const old = session.name as string;
    if (this.claims && nameKey(old) !== nameKey(name)) return this.claimNick(session, name, ref);
    this.directory.rename(session, name);
    const rooms = session.rooms.map((r) => r.name);
    this.publish({ type: 'nick', old, new: name, rooms }, session, ref);
  }

  /** A cluster's rename: the new name is claimed cluster-wide first (the bus frees the old one). */
  private claimNick(session: Session, name: string, ref: Ref | undefined): void {
    const claims = this.claims as NameClaims;
    const key = nameKey(name);
    if (this.claiming.has(key)) return this.refuseClaim(session, name, 'taken', ref);
    this.claiming.set(key, session);
    claims.claim(name, key, session.token as string, undefined, (result) => {
      this.claiming.delete(key);
      if (session.closed || session.name === null)
        return result === 'ok' ? claims.release(nameKey(name)) : undefined;
      if (result !== 'ok') return this.refuseClaim(session, name, result, ref);
      const old = session.name;
      this.directory.rename(session, name);
      this.publish({ type: 'nick', old, new: name, rooms: session.rooms.map((r) => r.name) }, session, ref);
    });
  }

  /** Checks who a file goes to, then asks the files port for an upload slot. */
  private fileOffer(session: Session, action: Extract<ClientAction, { type: 'file_offer' }>): void {
    const { ref } = action;
    if (!this.files) return this.fail(session, 'FILES_OFF', { kind: 'none' }, ref);
    if (!this.mayPost(session, ref)) return;
    const fields = checkOfferFields(action.name, action.sha256);
    if (!fields.ok) return this.fail(session, fields.code, fields.detail, ref);
    let target: { room: string } | { to: string };
    if (action.to !== undefined) {
      const user = this.directory.find(action.to);
      if (!user)
        return this.fail(session, 'NO_SUCH_USER', { kind: 'user', name: sanitizeText(action.to) }, ref);
      target = { to: user.name as string };
    } else {
      const room = this.memberRoom(session, action.room ?? session.currentRoom ?? undefined, ref);
      if (!room) return;
      target = { room: room.name };
    }
    const { size, sha256 } = action;
    const from = session.name as string;
    const slot = this.files.openSlot({ from, ...target, name: fields.name, size, sha256 });
    if (!slot.ok) return this.fail(session, slot.code, slot.detail, ref);
    session.peer.send({ type: 'upload_slot', url: slot.url, size: slot.size, offset: slot.offset, ref });
  }

  /** The room `name` names (the default room when absent), if the user is in it; else says why. */
  private memberRoom(session: Session, name: string | undefined, ref: Ref | undefined): Room | undefined {
    const room = this.rooms.get(name ?? this.defaultRoom);
    if (room && session.inRoom(room)) return room;
    const code = room || name === undefined ? 'NOT_IN_ROOM' : 'NO_SUCH_ROOM';
    this.fail(session, code, roomDetail(name ?? this.defaultRoom), ref);
    return undefined;
  }

  /** Returns the text made safe, or null after telling the sender why it was refused. */
  private checkText(session: Session, raw: string, ref: Ref | undefined): string | null {
    const trimmed = raw.trim();
    if (trimmed.length === 0) {
      this.fail(session, 'EMPTY_MESSAGE', { kind: 'none' }, ref);
      return null;
    }
    // The limit counts what the sender sent, before controls are made visible.
    const bytes = utf8Length(trimmed);
    if (bytes > this.maxMessageBytes) {
      this.fail(session, 'MESSAGE_TOO_LONG', { kind: 'size', bytes, limit: this.maxMessageBytes }, ref);
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

  /**
   * The bus's sink: every event, this node's and others', in the bus's order. Public events are
   * journaled before anyone sees them; the session that caused an event gets its answer here.
   */
  private readonly deliver = (event: BusEvent, origin: Origin | undefined): void => {
    this.deliverEvent(event, origin);
    if (this.remote !== null && origin?.node !== this.node) this.remote.apply(event, origin);
  };

  /**
   * What the bus could not take (a cluster's store unreachable): its sender is told, nothing is
   * acknowledged; a join that never reached the others leaves the name free again.
   */
  private readonly refused = (draft: Draft, origin: Origin | undefined): void => {
    const from = origin?.node === this.node ? this.directory.session(origin.session) : undefined;
    if (!from || from.closed) return;
    this.fail(from, 'CLUSTER_DOWN', { kind: 'none' }, origin?.ref);
    if (draft.type === 'join' && draft.connected) this.directory.release(from);
  };

  private deliverEvent(event: BusEvent, origin: Origin | undefined): void {
    const from = origin?.node === this.node ? this.directory.session(origin.session) : undefined;
    const ref = origin?.ref;
    if (isModeration(event)) return this.moderation.deliver(event, from, ref, origin?.node === this.node);
    if (event.type !== 'private' && event.type !== 'file') this.journal?.record(event);
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
    if (event.room !== undefined) {
      const room = this.rooms.get(event.room);
      if (room) for (const s of room.members) s.peer.send(event);
      return;
    }
    const to = this.directory.find(event.to ?? '');
    to?.peer.send(event);
    const from = this.directory.find(event.from);
    if (from && from !== to) from.peer.send(event);
  }

  private deliverMessage(
    event: MessageEvent | ActionEvent,
    from: Session | undefined,
    ref: Ref | undefined,
  ): void {
    const room = this.rooms.get(event.room);
    if (room) this.fanout.toRoom(room, event, from);
    if (!from) return;
    const ack: AckEvent = { type: 'ack', ref, id: event.id, ts: event.ts, of: event.type, room: event.room };
    this.refs.remember(from.token, ack, event.text);
    from.peer.send(ack);
  }

  private deliverPrivate(event: PrivateEvent, from: Session | undefined, ref: Ref | undefined): void {
    this.directory.find(event.to)?.peer.send(event);
    if (!from) return;
    const { id, ts, to, text } = event;
    const ack: AckEvent = { type: 'ack', ref, id, ts, of: 'private', to, text };
    this.refs.remember(from.token, ack, text);
    from.peer.send(ack);
  }

  private deliverJoin(
    event: JoinEvent,
    from: Session | undefined,
    ref: Ref | undefined,
    since: number | undefined,
  ): void {
    const { room, created } = this.rooms.open(event.room);
    if (created) this.saveRoom(room);
    if (created && from && !from.closed) this.moderation.roomCreated(room, from);
    if (this.isBusy(room)) this.notePresence(room, event.name, 'joined');
    else this.fanout.toRoom(room, event);
    if (!from || from.closed) return this.rooms.dropIfEmpty(room);
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
    const room = this.rooms.get(event.room);
    if (!room) return;
    if (this.isBusy(room)) {
      this.notePresence(room, event.name, 'left');
      // The parter is told at once all the same: it asked.
      if (from?.inRoom(room)) from.peer.send(event);
    } else this.fanout.toRoom(room, event);
    if (!from || !from.inRoom(room)) return;
    this.fanout.moving(from);
    const at = from.rooms.indexOf(room);
    room.members.delete(from);
    from.rooms.splice(at, 1);
    this.history.forget(from, room.key);
    this.rooms.dropIfEmpty(room);
    from.peer.send({ type: 'ack', ref, id: event.id, ts: event.ts, of: 'part_room', room: room.name });
    // Parting the last room puts the user back in the default room.
    if (from.rooms.length === 0)
      return this.publish({ type: 'join', room: this.defaultRoom, name: from.name as string }, from);
    if (from.current !== room) return;
    const next = (from.rooms[at] ?? from.rooms[at - 1]) as Room;
    from.current = next;
    from.peer.send({ type: 'room', topic: next.topic, ...listing(next) });
  }

  private deliverTopic(event: TopicEvent, from: Session | undefined, ref: Ref | undefined): void {
    const room = this.rooms.get(event.room);
    if (!room) return;
    room.topic = event.text;
    room.topicBy = event.by;
    room.topicTs = event.ts;
    this.saveRoom(room);
    this.fanout.toRoom(room, event);
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
      const room = this.rooms.get(name);
      if (!room) continue;
      if (event.type === 'leave' && this.isBusy(room)) this.notePresence(room, event.name, 'left');
      else rooms.push(room);
    }
    if (from && event.type === 'nick') {
      from.peer.send(event);
      from.peer.send({ type: 'ack', ref, id: event.id, ts: event.ts, of: 'nick', name: event.new });
    }
    this.fanout.toRooms(rooms, event, from);
  }

  /**
   * Tells each busy room's members who joined and left since the last call, in one event; the
   * server calls it once a second (docs/PROTOCOL.md, "Busy rooms").
   */
  flushPresence(): void {
    if (this.presence.size === 0) return;
    const ts = this.clock.now();
    for (const [room, p] of this.presence) {
      const event: ServerEvent = { type: 'presence', ts, room: room.name, ...p };
      this.fanout.toRoom(room, event);
    }
    this.presence.clear();
  }

  private isBusy(room: Room): boolean {
    return this.busyRoom > 0 && room.members.size > this.busyRoom;
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

  /** Makes `room` the session's current room, adding it as a member. */
  private enter(session: Session, room: Room): void {
    this.fanout.moving(session);
    room.members.add(session);
    session.rooms.push(room);
    session.current = room;
  }

  /** A client resuming from `since` is told of the events this node lost past it (a cluster's). */
  private tellLost(session: Session, since: number | undefined): void {
    if (since === undefined || !this.bus.lostSince) return;
    for (const { from, to } of this.bus.lostSince(since)) {
      session.peer.send({ type: 'notice', code: 'EVENTS_LOST', detail: { kind: 'lost', from, to } });
    }
  }

  private replay(session: Session, room: Room, since: number | undefined): void {
    const replay = this.history.replay(session, room.name, room.key, since);
    if (replay) session.peer.send(replay);
  }

  private saveRoom(room: Room): void {
    this.roomStore?.saveRoom({
      name: room.name,
      topic: room.topic,
      topicBy: room.topicBy,
      topicTs: room.topicTs,
    });
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
      fail: (session, code, detail, ref) => this.fail(session, code, detail, ref),
      detach: (session, reason) => this.detach(session, reason),
      toRooms: (rooms, event, except) => this.fanout.toRooms(rooms, event, except),
      removeFromRoom: (session, room) => {
        this.fanout.moving(session);
        const at = session.rooms.indexOf(room);
        room.members.delete(session);
        session.rooms.splice(at, 1);
        this.history.forget(session, room.key);
        this.rooms.dropIfEmpty(room);
        if (session.current !== room || session.rooms.length === 0) return;
        const next = (session.rooms[at] ?? session.rooms[at - 1]) as Room;
        session.current = next;
        session.peer.send({ type: 'room', topic: next.topic, ...listing(next) });
      },
    };
  }

  private replyTo(session: Session): (event: Reply) => void {
    // A history page or search may be answered later: by then the user may have left.
    return (event) => {
      if (!session.closed) session.peer.send(event);
    };
  }

  private fail(session: Session, code: ErrorCode, detail: ErrorDetail, ref: Ref | undefined): void {
    session.peer.send({ type: 'error', code, detail, ref });
  }
}

/** A room's name and the first of its members, as a joiner is shown them. */
function listing(room: Room): { room: string; users: string[]; userCount: number } {
  return { room: room.name, users: room.firstNames(MAX_LISTED_USERS), userCount: room.members.size };
}

function roomDetail(name: string | undefined): ErrorDetail {
  return { kind: 'room', room: sanitizeText(name ?? '').slice(0, 40) };
}
