import type { Duplex } from 'node:stream';
import { checkName } from '../core/names.js';
import { PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from '../protocol/json-messages.js';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import type { ChatRequest } from './input.js';
import { Resumption } from './replay-filter.js';
import { RoomState } from './rooms.js';
import { RequestQueue } from './request-queue.js';
import { ServerReader, type Protocol, type ReaderOutput } from './server-reader.js';
import type { Failure, SessionEvent, SessionOptions } from './session-events.js';
import { ConnectError, NOT_TLS } from './transport.js';
import { Watchdog } from './watchdog.js';

export { PAPO_GREETING, type Protocol } from './server-reader.js';
export type { Failure, SessionEvent, SessionOptions } from './session-events.js';

const QUIT_WAIT_MS = 2000;

type Resuming = Extract<ClientMessage, { type: 'hello' | 'join' | 'join_room' }>;

/** The `ref` of a room joined again after a reconnect: its answer keeps the current room. */
const REJOIN = 'rejoin ';
const isRejoinRef = (ref: unknown): boolean => typeof ref === 'string' && ref.startsWith(REJOIN);

/** The name a `nick` asked for, as the server spells it: for servers whose ack does not say it. */
function requestedName(requested: string): string {
  const check = checkName(requested);
  return check.ok ? check.name : requested;
}

/**
 * One chat session with a server across reconnects: detects papo's JSON lines or a plain-text
 * chat from the greeting, joins, answers heartbeats, matches answers to requests by `ref`,
 * and after a lost connection reconnects with exponential backoff and jitter, taking its name
 * back with the session token. Knows nothing of terminals: it reports SessionEvents.
 */
export class ChatSession {
  protocol: Protocol | null = null;
  name: string | null;
  users: string[] = [];
  private token: string | null = null;
  private socket: Duplex | null = null;
  private joined = false;
  private joinedOnce = false;
  private everConnected = false;
  private quitting = false;
  private finished = false;
  private attempt = 0;
  private reclaims = 0;
  private readonly requests: RequestQueue;
  private plainOutbox: string[] = [];
  private plainName: string | null = null;
  private lastPlainLine: string | undefined;
  private noReconnect: Failure | null = null;
  private timers = new Set<NodeJS.Timeout>();
  private readonly watchdog = new Watchdog(
    () => this.write({ type: 'ping' }),
    () => this.socket?.destroy(),
  );
  private settledWaiters: Array<() => void> = [];
  private closedWaiters: Array<() => void> = [];
  private readonly opts: Required<Omit<SessionOptions, 'name' | 'probeTls'>> &
    Pick<SessionOptions, 'probeTls'>;
  /** Whether the current connection has received a byte. */
  private heard = false;
  private readonly resumption = new Resumption();
  /** The rooms the user is in and the current one (#12); none with a server without rooms. */
  readonly rooms = new RoomState();

  constructor(
    options: SessionOptions,
    private readonly emit: (e: SessionEvent) => void,
  ) {
    this.opts = {
      plain: false,
      greetingTimeoutMs: 3000,
      backoff: DEFAULT_BACKOFF,
      maxAttempts: Infinity,
      window: 8,
      reclaimAttempts: 6,
      // An option passed as undefined keeps its default.
      ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as SessionOptions),
    };
    this.name = options.name ?? null;
    this.requests = new RequestQueue(this.opts.window);
  }

  /** Opens the first connection. */
  start(): void {
    void this.connect();
  }

  /** Joins with `name` (after `name-needed`). */
  join(name: string): void {
    this.name = name;
    if (this.protocol === 'json' && this.socket && !this.joined) this.sendJoin();
  }

  /** Queues a request; it is sent once joined, and again after a reconnect until answered. */
  send(request: ChatRequest): void {
    this.requests.push(request);
    this.pump();
  }

  /** Plain mode: sends a line as typed (the first one is the name when none was given). */
  sendPlain(line: string): void {
    if (this.name === null && this.plainName === null) this.plainName = line;
    this.plainOutbox.push(line);
    this.pump();
  }

  /** Resolves once every queued request has been answered (JSON) or written (plain). */
  settled(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** Leaves: `quit` (JSON) or a half-close (plain), then waits for the server to close. */
  quit(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.closedWaiters.push(resolve));
    if (this.finished) return Promise.resolve();
    this.quitting = true;
    this.clearTimers();
    const socket = this.socket;
    if (!socket) {
      this.finish({ type: 'closed' });
      return closed;
    }
    if (this.protocol === 'json') this.write({ type: 'quit' });
    else socket.end();
    this.later(QUIT_WAIT_MS, () => socket.destroy());
    return closed;
  }

  private isSettled(): boolean {
    return this.protocol === 'plain' ? this.plainOutbox.length === 0 : this.requests.isEmpty;
  }

  private later(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, ms);
    this.timers.add(t);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.watchdog.stop();
  }

  private async connect(): Promise<void> {
    this.emit({ type: 'connecting', attempt: this.attempt });
    let socket: Duplex;
    try {
      socket = await this.opts.connect();
    } catch (err) {
      // Retrying would only meet the same certificate (or plain server) again, and never connect.
      if (err instanceof ConnectError && err.final) {
        const failure: Failure =
          err.code === NOT_TLS ? { kind: 'not-tls' } : { kind: 'untrusted', message: err.message };
        return this.finish({ type: 'failed', failure });
      }
      if (!this.everConnected) {
        const code = err instanceof ConnectError ? err.code : 'EUNKNOWN';
        return this.finish({ type: 'failed', failure: { kind: 'unreachable', code } });
      }
      return this.retry();
    }
    if (this.finished || this.quitting) {
      socket.destroy();
      return;
    }
    this.attach(socket);
  }

  private attach(socket: Duplex): void {
    this.socket = socket;
    this.protocol = null;
    this.joined = false;
    this.lastPlainLine = undefined;
    this.heard = false;
    this.resumption.reset();
    const reader = new ServerReader();
    const handle = (outputs: ReaderOutput[]) => {
      for (const o of outputs) if (this.socket === socket) this.onReaderOutput(o);
    };
    // A server that says nothing first (it waits for a name) is not papo.
    const greetingTimer = setTimeout(
      () => handle(reader.decide('plain', 'greeting')),
      this.opts.greetingTimeoutMs,
    );
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      this.watchdog.heard();
      this.heard = true;
      handle(reader.push(chunk));
      if (reader.protocol !== null || reader.speaksTls) clearTimeout(greetingTimer);
    });
    socket.on('error', () => {
      // The close that follows is what counts; the reason is not worth a stack trace.
    });
    socket.on('close', () => {
      clearTimeout(greetingTimer);
      handle(reader.end());
      if (this.socket === socket) this.onSocketClose();
    });
    if (this.opts.plain) {
      clearTimeout(greetingTimer);
      handle(reader.decide('plain', 'flag'));
    }
  }

  private onReaderOutput(o: ReaderOutput): void {
    switch (o.kind) {
      case 'decided':
        this.protocol = o.protocol;
        this.everConnected = true;
        // The name goes first, before any line the UI sends on hearing of the connection.
        if (o.protocol === 'json') this.sendHello();
        else this.startPlain();
        return this.emit({ type: 'connected', protocol: o.protocol, why: o.why });
      case 'message':
        return this.onServerMessage(o.message, o.line);
      case 'plain':
        this.lastPlainLine = o.line;
        return this.emit({ type: 'plain', line: o.line });
      case 'preamble':
        this.lastPlainLine = o.line;
        return;
      case 'tls':
        // A TLS port: the same port will never speak plain text, so no reconnect (issue #17).
        this.noReconnect = { kind: 'tls-port' };
        this.socket?.destroy();
        return;
    }
  }

  private startPlain(): void {
    const first = this.name ?? this.plainName;
    if (first !== null) this.socket?.write(`${first}\n`);
    this.pump();
  }

  private sendHello(): void {
    const hello: ClientMessage = {
      type: 'hello',
      version: PROTOCOL_VERSION,
      lang: this.opts.lang,
      client: this.opts.clientId,
    };
    if (this.name !== null) hello.name = this.name;
    if (this.name !== null && this.token !== null) hello.token = this.token;
    this.write(this.resuming(hello));
  }

  private sendJoin(): void {
    if (this.name === null) return;
    const join: ClientMessage = { type: 'join', name: this.name };
    if (this.token !== null) join.token = this.token;
    this.write(this.resuming(join));
  }

  /**
   * Adds `since` once the client has seen events: the server replays only what came after
   * (issue #17), so a reconnect does not print the last messages again.
   */
  private resuming<T extends Resuming>(m: T, room?: string): T {
    const since = this.resumption.since(room);
    return since === undefined ? m : { ...m, since };
  }

  private write(message: ClientMessage | (ChatRequest & { ref: number })): void {
    this.socket?.write(`${JSON.stringify(message)}\n`);
  }

  private onServerMessage(m: ServerMessage, line: string): void {
    // A server that ignores `since` replays what is on the screen already: taken out here.
    for (const r of this.resumption.receive({ message: m, line }))
      this.handleServerMessage(r.message, r.line);
  }

  private handleServerMessage(m: ServerMessage, line: string): void {
    // Rooms first, so the UI renders the event against the rooms it leaves behind. Coming back
    // after a reconnect keeps the room the user was in current.
    // A `room` that answers no request of the user's (the server moving a plain user on after a
    // part) leaves the client's own current room as it is.
    const keepCurrent =
      m.type === 'welcome'
        ? this.joinedOnce
        : m.type === 'room' && (m.ref === undefined || isRejoinRef(m.ref));
    const current = this.rooms.current;
    this.rooms.receive(m, keepCurrent);
    // "You are in #room now" is news only when it answers the user or moves their lines: not
    // for rooms joined again after a reconnect, nor the rooms a resumed session is back in.
    if (m.type === 'room' && keepCurrent && this.rooms.current === current) return;
    this.emit({ type: 'server', message: m, line });
    switch (m.type) {
      case 'hello':
        this.watchdog.start(Math.max(1000, m.heartbeatSeconds * 1000));
        if (this.name === null) this.emit({ type: 'name-needed' });
        return;
      case 'welcome':
        return this.onWelcome(m);
      case 'ping':
        return this.write({ type: 'pong' });
      case 'join':
        if (!this.users.includes(m.name)) this.users.push(m.name);
        return;
      case 'leave':
        this.users = this.users.filter((u) => u !== m.name);
        return;
      case 'nick':
        this.users = this.users.map((u) => (u === m.old ? m.new : u));
        return;
      case 'users':
        this.users = [...m.users];
        return this.answered(m.ref);
      case 'pong':
      case 'history':
      case 'room':
      case 'rooms':
      case 'topic_info':
        return this.answered(m.ref);
      case 'ack':
        return this.answered(m.ref, m);
      case 'error':
        return this.onError(m);
      case 'bye':
        if (m.reason === 'replaced') this.noReconnect = { kind: 'replaced' };
        return;
      case 'message':
      case 'action':
      case 'private':
      case 'notice':
      case 'part':
      case 'topic':
      case 'presence':
        return;
    }
  }

  private onWelcome(m: Extract<ServerMessage, { type: 'welcome' }>): void {
    this.name = m.name;
    this.token = m.token;
    this.users = [...m.users];
    this.joined = true;
    this.attempt = 0;
    this.reclaims = 0;
    this.emit({
      type: 'joined',
      name: m.name,
      users: this.users,
      resumed: m.resumed,
      again: this.joinedOnce,
    });
    if (this.joinedOnce) this.rejoinRooms(m.room);
    this.joinedOnce = true;
    this.pump();
  }

  /**
   * Back after a reconnect, in the room the server puts every user in: joins the user's other
   * rooms again, each with `since`, so none replays what was shown already (#12).
   */
  private rejoinRooms(welcomeRoom: string | undefined): void {
    if (welcomeRoom === undefined) return;
    for (const room of this.rooms.rejoins(welcomeRoom)) {
      this.write(this.resuming({ type: 'join_room', room, ref: `${REJOIN}${room}` }, room));
    }
  }

  private onError(m: Extract<ServerMessage, { type: 'error' }>): void {
    // A room that could not be joined again (a limit lowered meanwhile) is a room left.
    if (isRejoinRef(m.ref)) return this.rooms.forget(String(m.ref).slice(REJOIN.length));
    if (m.ref !== undefined) {
      const request = this.requests.answer(m.ref);
      if (request) {
        this.emit({ type: 'refused', request, code: m.code, message: m.message });
        this.pump();
      }
      return;
    }
    if (this.joined || (m.code !== 'NAME_TAKEN' && m.code !== 'NAME_INVALID')) return;
    if (m.code === 'NAME_TAKEN' && this.token !== null && this.reclaims < this.opts.reclaimAttempts) {
      // Our own dead connection may still hold the name (the server has not noticed yet and
      // does not know this token, e.g. after its restart): it frees it within a heartbeat.
      this.reclaims++;
      this.emit({ type: 'reclaiming', name: this.name ?? '' });
      const socket = this.socket;
      this.later(backoffDelay(this.reclaims + 1, this.opts.backoff), () => {
        if (this.socket === socket && !this.joined) this.sendJoin();
      });
      return;
    }
    this.name = null;
    this.token = null;
    this.emit({ type: 'name-needed', problem: m.message });
  }

  private answered(ref: unknown, ack?: { id: number; ts: number; name?: string }): void {
    const request = this.requests.answer(ref);
    if (!request) return;
    if (ack) {
      if (request.type === 'nick') {
        this.name = typeof ack.name === 'string' ? ack.name : requestedName(request.name);
      }
      this.emit({ type: 'acked', request, id: ack.id, ts: ack.ts });
    }
    this.pump();
  }

  private pump(): void {
    if (this.socket && this.protocol === 'plain') {
      for (const line of this.plainOutbox) this.socket.write(`${line}\n`);
      this.plainOutbox = [];
    }
    if (this.joined && this.socket) {
      for (const { ref, request } of this.requests.takeSendable()) this.write({ ...request, ref });
    }
    if (this.isSettled()) {
      const waiters = this.settledWaiters;
      this.settledWaiters = [];
      for (const w of waiters) w();
    }
  }

  private onSocketClose(): void {
    const wasReady = this.joined || this.protocol === 'plain';
    for (const r of this.resumption.flush()) this.handleServerMessage(r.message, r.line);
    this.socket = null;
    this.joined = false;
    this.clearTimers();
    // Requests not yet answered go out again after the reconnect (at least once).
    this.requests.requeue();
    // Papo's TLS port closes on a plain client without a word (a TLS server sends nothing
    // first, then drops the bytes it cannot read): ask the port for a handshake before
    // deciding that what was written reached a chat (issue #17).
    const probe = this.opts.probeTls;
    if (!this.heard && this.protocol !== 'json' && !this.noReconnect && probe) {
      void probe().then(
        (tls) => {
          if (tls) this.noReconnect = { kind: 'tls-port' };
          this.afterClose(wasReady);
        },
        () => this.afterClose(wasReady),
      );
      return;
    }
    this.afterClose(wasReady);
  }

  private afterClose(wasReady: boolean): void {
    if (this.noReconnect?.kind === 'tls-port')
      return this.finish({ type: 'failed', failure: this.noReconnect });
    if (this.quitting) return this.finish({ type: 'closed' });
    if (this.noReconnect) return this.finish({ type: 'failed', failure: this.noReconnect });
    // Turned away before ever joining (a refusal such as SERVER_FULL, a name given on the
    // command line that the server closed on): say why and stop, rather than retry forever.
    const turnedAway =
      !this.joinedOnce &&
      this.attempt === 0 &&
      (this.protocol === null || (this.protocol === 'json' && this.name !== null));
    if (turnedAway) {
      const failure: Failure = this.lastPlainLine
        ? { kind: 'closed-before-join', lastLine: this.lastPlainLine }
        : { kind: 'closed-before-join' };
      return this.finish({ type: 'failed', failure });
    }
    if (wasReady) this.emit({ type: 'lost' });
    this.retry();
  }

  private retry(): void {
    this.attempt++;
    if (this.attempt > this.opts.maxAttempts) {
      return this.finish({ type: 'failed', failure: { kind: 'gave-up', attempts: this.attempt - 1 } });
    }
    const delayMs = backoffDelay(this.attempt, this.opts.backoff);
    this.emit({ type: 'retrying', delayMs, attempt: this.attempt });
    this.later(delayMs, () => void this.connect());
  }

  private finish(e: Extract<SessionEvent, { type: 'failed' | 'closed' }>): void {
    if (this.finished) return;
    this.finished = true;
    this.clearTimers();
    this.emit(e);
    const waiters = [...this.closedWaiters, ...this.settledWaiters];
    this.closedWaiters = [];
    this.settledWaiters = [];
    for (const w of waiters) w();
  }
}
