import type { Clock } from './clock.js';
import { checkName, nameKey } from './names.js';
import { MAX_MESSAGE_BYTES, sanitizeText, utf8Length } from './text.js';
import { DEFAULT_HISTORY_REPLAY, HistoryDesk, type HistorySource } from './history.js';
import type {
  ClientAction,
  ErrorDetail,
  LeaveReason,
  PublicEvent,
  Ref,
  ServerEvent,
  ErrorEvent,
} from './events.js';
import type { ErrorCode } from './errors.js';

/** The core's view of a connection: somewhere to send events, and a way to end it. */
export interface Peer {
  /** Queues an event. The same object may go to many peers: never mutate it. */
  send(event: ServerEvent): void;
  /** Ends the connection after what is queued, the `bye` included, has been sent. */
  close(): void;
}

/** Receives every public event in order, before any user sees it (message history plugs in here). */
export interface Journal {
  record(event: PublicEvent): void;
}

export interface HubOptions {
  clock: Clock;
  /** Returns a fresh unguessable session token. */
  newToken(): string;
  maxMessageBytes?: number;
  /** The id of the first event (history continues its numbering across restarts). */
  firstEventId?: number;
  journal?: Journal;
  /** Stored messages for the replay on join, `history` and `search`; none: history is off. */
  history?: HistorySource;
  /** Messages replayed to a user who joins (default 50; 0: none). */
  historyReplay?: number;
}

/** One connection's state in the core; `name` is null until the user has joined. */
export class Session {
  name: string | null = null;
  key: string | null = null;
  token: string | null = null;
  closed = false;
  constructor(readonly peer: Peer) {}
}

/** The chat: users, names, broadcast, private messages. No I/O: transports drive it. */
export class Hub {
  private readonly clock: Clock;
  private readonly newToken: () => string;
  private readonly maxMessageBytes: number;
  private readonly journal: Journal | undefined;
  private nextId: number;
  private readonly history: HistoryDesk;
  private readonly sessions = new Set<Session>();
  /** Joined sessions in join order, by name key. */
  private readonly users = new Map<string, Session>();

  constructor(options: HubOptions) {
    this.clock = options.clock;
    this.newToken = options.newToken;
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.journal = options.journal;
    this.nextId = options.firstEventId ?? 1;
    this.history = new HistoryDesk(options.history, options.historyReplay ?? DEFAULT_HISTORY_REPLAY);
  }

  /** The id the next event will get (the store keeps it, so ids are never reused after a restart). */
  get nextEventId(): number {
    return this.nextId;
  }

  /** Number of joined users. */
  get userCount(): number {
    return this.users.size;
  }

  /** Names of the joined users, in join order. */
  userNames(): string[] {
    return Array.from(this.users.values(), (s) => s.name as string);
  }

  /** The joined session holding `name` (any letter case), if any. */
  findUser(name: string): Session | undefined {
    return this.users.get(nameKey(name));
  }

  /** Registers a new connection; it joins later with a `join` action. */
  attach(peer: Peer): Session {
    const session = new Session(peer);
    this.sessions.add(session);
    return session;
  }

  /** Carries out one client request. Every failure is answered with an `error` event. */
  handle(session: Session, action: ClientAction): void {
    if (session.closed) return;
    if (action.type === 'join') return this.join(session, action.name, action.token, action.ref);
    if (action.type === 'ping') return session.peer.send({ type: 'pong', ref: action.ref });
    if (action.type === 'quit') return this.detach(session, 'quit');
    if (session.name === null) return this.fail(session, 'NOT_JOINED', { kind: 'none' }, action.ref);
    switch (action.type) {
      case 'say':
      case 'me':
        return this.say(session, action.type, action.text, action.ref);
      case 'msg':
        return this.privateMessage(session, action.to, action.text, action.ref);
      case 'nick':
        return this.nick(session, action.name, action.ref);
      case 'who':
        return session.peer.send({ type: 'users', ref: action.ref, users: this.userNames() });
      case 'history':
      case 'search':
        // A search may be answered later: by then the user may have left.
        return this.history.answer(session, action, (event) => {
          if (!session.closed) session.peer.send(event);
        });
    }
  }

  /**
   * Ends a session: says goodbye to it, tells the others it left, and closes the connection.
   * Safe to call more than once.
   */
  detach(session: Session, reason: LeaveReason): void {
    if (session.closed) return;
    session.closed = true;
    this.sessions.delete(session);
    session.peer.send({ type: 'bye', reason });
    session.peer.close();
    if (session.key !== null && this.users.get(session.key) === session) {
      this.users.delete(session.key);
      if (reason !== 'replaced') {
        this.publish({
          type: 'leave',
          id: this.takeId(),
          ts: this.clock.now(),
          name: session.name as string,
          reason,
        });
      }
    }
  }

  /** Tells everyone the server is stopping and closes every session. */
  shutdown(): void {
    const notice: ServerEvent = { type: 'notice', code: 'SHUTDOWN', detail: { kind: 'none' } };
    const bye: ServerEvent = { type: 'bye', reason: 'shutdown' };
    for (const session of this.sessions) {
      session.closed = true;
      session.peer.send(notice);
      session.peer.send(bye);
      session.peer.close();
    }
    this.sessions.clear();
    this.users.clear();
  }

  private join(session: Session, requested: string, token: string | undefined, ref: Ref | undefined): void {
    if (session.name !== null) return this.fail(session, 'ALREADY_JOINED', { kind: 'none' }, ref);
    const check = checkName(requested);
    if (!check.ok) return this.fail(session, 'NAME_INVALID', { kind: 'name', problem: check.problem }, ref);
    const key = nameKey(check.name);
    const holder = this.users.get(key);
    let resumed = false;
    if (holder) {
      // Only the holder's own session token takes a name back from a dead ("ghost") connection.
      if (token === undefined || holder.token === null || token !== holder.token) {
        return this.fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: holder.name as string }, ref);
      }
      this.detach(holder, 'replaced');
      resumed = true;
    }
    session.name = check.name;
    session.key = key;
    session.token = this.newToken();
    this.users.set(key, session);
    session.peer.send({
      type: 'welcome',
      name: check.name,
      token: session.token,
      users: this.userNames(),
      resumed,
    });
    // History comes right after the welcome, before any live event reaches this user.
    const replay = this.history.replay(session);
    if (replay) session.peer.send(replay);
    if (!resumed) {
      this.publish({ type: 'join', id: this.takeId(), ts: this.clock.now(), name: check.name }, session);
    }
  }

  private say(session: Session, kind: 'say' | 'me', raw: string, ref: Ref | undefined): void {
    const text = this.checkText(session, raw, ref);
    if (text === null) return;
    const id = this.takeId();
    const ts = this.clock.now();
    const from = session.name as string;
    const type = kind === 'say' ? 'message' : 'action';
    this.publish({ type, id, ts, from, text }, session);
    session.peer.send({ type: 'ack', ref, id, ts, of: type });
  }

  private privateMessage(session: Session, to: string, raw: string, ref: Ref | undefined): void {
    const target = this.users.get(nameKey(to));
    if (!target) return this.fail(session, 'NO_SUCH_USER', { kind: 'user', name: sanitizeText(to) }, ref);
    const text = this.checkText(session, raw, ref);
    if (text === null) return;
    const id = this.takeId();
    const ts = this.clock.now();
    const toName = target.name as string;
    target.peer.send({ type: 'private', id, ts, from: session.name as string, to: toName, text });
    session.peer.send({ type: 'ack', ref, id, ts, of: 'private', to: toName, text });
  }

  private nick(session: Session, requested: string, ref: Ref | undefined): void {
    const check = checkName(requested);
    if (!check.ok) return this.fail(session, 'NAME_INVALID', { kind: 'name', problem: check.problem }, ref);
    const key = nameKey(check.name);
    const holder = this.users.get(key);
    if (holder && holder !== session) {
      return this.fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: holder.name as string }, ref);
    }
    const old = session.name as string;
    if (old === check.name) return this.fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: old }, ref);
    this.renameKey(session.key as string, key);
    session.name = check.name;
    session.key = key;
    const id = this.takeId();
    const ts = this.clock.now();
    this.publish({ type: 'nick', id, ts, old, new: check.name }, session);
    session.peer.send({ type: 'ack', ref, id, ts, of: 'nick', name: check.name });
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

  /** Records a public event, then hands the same object to every joined user but `except`. */
  private publish(event: PublicEvent, except?: Session): void {
    this.journal?.record(event);
    for (const session of this.users.values()) {
      if (session !== except) session.peer.send(event);
    }
  }

  private fail(session: Session, code: ErrorCode, detail: ErrorDetail, ref: Ref | undefined): void {
    const event: ErrorEvent = { type: 'error', code, detail, ref };
    session.peer.send(event);
  }

  /** Moves a user to a new name key, keeping its place in join order (rare: rebuilds the map). */
  private renameKey(oldKey: string, newKey: string): void {
    if (oldKey === newKey) return;
    const entries = Array.from(this.users, ([k, v]): [string, Session] => [k === oldKey ? newKey : k, v]);
    this.users.clear();
    for (const [k, v] of entries) this.users.set(k, v);
  }

  private takeId(): number {
    return this.nextId++;
  }
}
