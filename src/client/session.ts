import type { Duplex } from 'node:stream';
import { loginMessage } from '../core/accounts.js';
import { challengeLines } from '../protocol/account-texts.js';
import { checkName, nameKey } from '../core/names.js';
import { PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from '../protocol/json-messages.js';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import type { ChatRequest } from './input.js';
import { RequestQueue } from './request-queue.js';
import type { RoomState } from './rooms.js';
import { ServerLink } from './server-link.js';
import type { Protocol, ReaderOutput } from './server-reader.js';
import type { Failure, SessionEvent, SessionOptions } from './session-events.js';
import { isRejoinRef, SessionState } from './session-state.js';
import { ConnectError, NOT_TLS } from './transport.js';
import { Watchdog } from './watchdog.js';
import type {
  FileMessage,
  FileOfferRequest,
  FileServerMessage,
  UploadSlotMessage,
} from './files/messages.js';
import { RefQueue } from './files/ref-queue.js';

export { PAPO_GREETING, type Protocol } from './server-reader.js';
export type { Failure, SessionEvent, SessionOptions } from './session-events.js';

const QUIT_WAIT_MS = 2000;
/** Errors to a join: the user is asked for another name (or the same one again, for a password). */
const NAME_REFUSALS = new Set([
  'NAME_TAKEN',
  'NAME_INVALID',
  'NAME_REGISTERED',
  'NAME_CONFUSABLE',
  'NAME_RESERVED',
  'LOGIN_FAILED',
  'LOGIN_THROTTLED',
  'ACCOUNT_REQUIRED',
  'PASSWORD_INVALID',
  'ACCOUNTS_UNAVAILABLE',
]);

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
  private token: string | null = null;
  private link: ServerLink | null = null;
  private joined = false;
  private joinedOnce = false;
  private everConnected = false;
  private quitting = false;
  private finished = false;
  private attempt = 0;
  private reclaims = 0;
  private readonly requests: RequestQueue;
  /** File offers waiting for their upload slot (`file N` refs). */
  private readonly offers = new RefQueue<FileOfferRequest, UploadSlotMessage>('file ');
  /**
   * `/get ID` of files this session did not see: the `file` event asked for again
   * (`file_lookup`, docs/PROTOCOL.md "Files"), answered by that event, which carries no ref.
   */
  private readonly lookups = new RefQueue<number, FileMessage>('lookup ');
  private plainOutbox: string[] = [];
  private plainName: string | null = null;
  private lastPlainLine: string | undefined;
  private noReconnect: Failure | null = null;
  private timers = new Set<NodeJS.Timeout>();
  private readonly watchdog = new Watchdog(
    () => this.write({ type: 'ping' }),
    () => this.link?.destroy(),
  );
  private settledWaiters: Array<() => void> = [];
  private closedWaiters: Array<() => void> = [];
  private readonly opts: Required<Omit<SessionOptions, 'name' | 'probeTls' | 'identity'>> &
    Pick<SessionOptions, 'probeTls' | 'identity'>;
  private readonly state = new SessionState();

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

  /** The rooms the user is in and the current one (#12); none with a server without rooms. */
  get rooms(): RoomState {
    return this.state.rooms;
  }

  /** Who is online, as far as the client has heard (names to complete). */
  get users(): string[] {
    return this.state.users;
  }

  /** Opens the first connection. */
  start(): void {
    void this.connect();
  }

  /** Joins with `name` (after `name-needed`). */
  join(name: string): void {
    this.name = name;
    if (this.protocol === 'json' && this.link && !this.joined) this.sendJoin();
  }

  /** Answers a `password-needed`: the password of the name being joined. */
  authPassword(password: string): void {
    this.write({ type: 'auth', password });
  }

  /** Queues a request; it is sent once joined, and again after a reconnect until answered. */
  send(request: ChatRequest): void {
    // papo client binds its key with every registration (docs/CLIENT.md, "Keys").
    const key = this.opts.identity?.publicKey;
    if (request.type === 'register' && key !== undefined) request = { ...request, key };
    this.requests.push(request);
    this.pump();
  }

  /** Offers a file (issue #14); resolves with its upload slot, rejects with OfferRefused. */
  offerFile(request: FileOfferRequest): Promise<UploadSlotMessage> {
    const slot = this.offers.add(request);
    this.pump();
    return slot;
  }

  /** Asks for a file's event again by its id (issue #14); rejects with OfferRefused. */
  lookUpFile(id: number): Promise<FileMessage> {
    const file = this.lookups.add(id);
    this.pump();
    return file;
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
    const link = this.link;
    if (!link) {
      this.finish({ type: 'closed' });
      return closed;
    }
    if (this.protocol === 'json') this.write({ type: 'quit' });
    else link.end();
    this.later(QUIT_WAIT_MS, () => link.destroy());
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
    this.protocol = null;
    this.joined = false;
    this.lastPlainLine = undefined;
    this.state.connected();
    const link: ServerLink = new ServerLink(socket, this.opts.greetingTimeoutMs, {
      output: (o) => {
        if (this.link === link) this.onReaderOutput(o);
      },
      heard: () => this.watchdog.heard(),
      closed: (heard) => {
        if (this.link === link) this.onSocketClose(heard);
      },
    });
    this.link = link;
    if (this.opts.plain) link.decidePlain();
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
      case 'file':
        return this.onFileMessage(o.message, o.line);
      case 'plain':
        this.lastPlainLine = o.line;
        return this.emit({ type: 'plain', line: o.line });
      case 'preamble':
        this.lastPlainLine = o.line;
        return;
      case 'tls':
        // A TLS port: the same port will never speak plain text, so no reconnect (issue #17).
        this.noReconnect = { kind: 'tls-port' };
        this.link?.destroy();
        return;
    }
  }

  private startPlain(): void {
    const first = this.name ?? this.plainName;
    if (first !== null) this.link?.write(`${first}\n`);
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
    if (this.name !== null && this.opts.identity) hello.key = this.opts.identity.publicKey;
    this.write(this.state.resuming(hello));
  }

  private sendJoin(): void {
    if (this.name === null) return;
    const join: ClientMessage = { type: 'join', name: this.name };
    if (this.token !== null) join.token = this.token;
    if (this.opts.identity) join.key = this.opts.identity.publicKey;
    this.write(this.state.resuming(join));
  }

  private write(message: ClientMessage | (ChatRequest & { ref: number })): void {
    this.link?.write(`${JSON.stringify(message)}\n`);
  }

  private onServerMessage(m: ServerMessage, line: string): void {
    // Rooms and users first, so the UI renders an event against the rooms it leaves behind; a
    // replay of what is on the screen already (a server that ignores `since`) is taken out.
    for (const r of this.state.receive({ message: m, line })) this.handleServerMessage(r.message, r.line);
  }

  private onFileMessage(m: FileServerMessage, line: string): void {
    if (m.type === 'upload_slot') return void this.offers.resolveRef(m.ref, m);
    this.lookups.resolveWhere((id) => id === m.id, m);
    this.emit({ type: 'file', message: m, line });
  }

  private handleServerMessage(m: ServerMessage, line: string): void {
    this.emit({ type: 'server', message: m, line });
    switch (m.type) {
      case 'hello':
        this.watchdog.start(Math.max(1000, m.heartbeatSeconds * 1000));
        if (this.name === null) this.emit({ type: 'name-needed' });
        return;
      case 'welcome':
        return this.onWelcome(m);
      case 'challenge':
        return this.onChallenge(m);
      case 'account':
      case 'whois':
        return this.answered(m.ref);
      case 'ping':
        return this.write({ type: 'pong' });
      case 'pong':
      case 'users':
      case 'history':
      case 'room':
      case 'rooms':
      case 'topic_info':
      case 'bans':
        return this.answered(m.ref);
      case 'ack':
        return this.answered(m.ref, m);
      case 'error':
        return this.onError(m);
      case 'bye':
        if (m.reason === 'replaced') this.noReconnect = { kind: 'replaced' };
        // The name is someone else's now (the server's node was cut off): the token takes nothing
        // back, so the reconnection asks for another name at once instead of reclaiming.
        if (m.reason === 'name_lost') this.token = null;
        return;
      case 'message':
      case 'action':
      case 'private':
      case 'notice':
      case 'join':
      case 'leave':
      case 'nick':
      case 'part':
      case 'topic':
      case 'presence':
      case 'kick':
      case 'ban':
      case 'unban':
      case 'mute':
      case 'unmute':
      case 'op':
      case 'deop':
        return;
    }
  }

  private onWelcome(m: Extract<ServerMessage, { type: 'welcome' }>): void {
    this.name = m.name;
    this.token = m.token;
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
    // Back after a reconnect: the user's other rooms again, each resuming where it was (#12). A
    // resumed session (the token took the name back) is already in them: the server says so.
    if (this.joinedOnce && !m.resumed && m.room !== undefined) {
      for (const r of this.state.rejoins(m.room)) this.write(r);
    }
    this.joinedOnce = true;
    this.pump();
  }

  /**
   * A registered name: signs the challenge with the key the server has for it, or asks the
   * user for the password. Over TLS the server's identity is the certificate this client saw: a
   * challenge naming another one is relayed, and is not signed.
   */
  private onChallenge(m: Extract<ServerMessage, { type: 'challenge' }>): void {
    const identity = this.opts.identity;
    const fingerprint = this.link?.tlsFingerprint ?? null;
    const server = fingerprint === null ? m.server : `tls:${fingerprint}`;
    if (m.key && identity && server === m.server) {
      const signature = identity.sign(loginMessage(m.nonce, server, nameKey(m.name)));
      return this.write({ type: 'auth', signature });
    }
    if (m.password || m.register)
      return this.emit({ type: 'password-needed', name: m.name, register: m.register });
    // Registered to a key this client does not hold, and no password: another name.
    this.name = null;
    const why = challengeLines(this.opts.lang, { ...m, type: 'challenge' })[0] ?? '';
    this.emit({ type: 'name-needed', problem: why.replace(/^\*\*\* /, '') });
  }

  private onError(m: Extract<ServerMessage, { type: 'error' }>): void {
    // A room that could not be joined again (a limit lowered meanwhile) is a room left.
    if (isRejoinRef(m.ref)) return this.state.rejoinRefused(m.ref);
    if (this.offers.refuse(m.ref, m.code, m.message)) return;
    if (this.lookups.refuse(m.ref, m.code, m.message)) return;
    if (m.ref !== undefined) {
      const request = this.requests.answer(m.ref);
      if (request) {
        this.emit({ type: 'refused', request, code: m.code, message: m.message });
        this.pump();
      }
      return;
    }
    if (this.joined || !NAME_REFUSALS.has(m.code)) return;
    if (m.code === 'NAME_TAKEN' && this.token !== null && this.reclaims < this.opts.reclaimAttempts) {
      // Our own dead connection may still hold the name (the server has not noticed yet and
      // does not know this token, e.g. after its restart): it frees it within a heartbeat.
      this.reclaims++;
      this.emit({ type: 'reclaiming', name: this.name ?? '' });
      const link = this.link;
      this.later(backoffDelay(this.reclaims + 1, this.opts.backoff), () => {
        if (this.link === link && !this.joined) this.sendJoin();
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
    if (this.link && this.protocol === 'plain') {
      for (const line of this.plainOutbox) this.link.write(`${line}\n`);
      this.plainOutbox = [];
    }
    if (this.joined && this.link) {
      for (const { ref, request } of this.requests.takeSendable()) this.write({ ...request, ref });
      for (const [ref, offer] of this.offers.takeSendable()) this.write({ ...offer, ref });
      for (const [ref, id] of this.lookups.takeSendable()) this.write({ type: 'file_lookup', id, ref });
    }
    if (this.isSettled()) {
      const waiters = this.settledWaiters;
      this.settledWaiters = [];
      for (const w of waiters) w();
    }
  }

  private onSocketClose(heard: boolean): void {
    const wasReady = this.joined || this.protocol === 'plain';
    for (const r of this.state.flush()) this.handleServerMessage(r.message, r.line);
    this.link = null;
    this.joined = false;
    this.clearTimers();
    // Requests not yet answered go out again after the reconnect (at least once).
    this.requests.requeue();
    this.offers.requeue();
    this.lookups.requeue();
    // Papo's TLS port closes on a plain client without a word (a TLS server sends nothing
    // first, then drops the bytes it cannot read): ask the port for a handshake before
    // deciding that what was written reached a chat (issue #17).
    const probe = this.opts.probeTls;
    if (!heard && this.protocol !== 'json' && !this.noReconnect && probe) {
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
    this.offers.failAll(new Error('the session ended'));
    this.lookups.failAll(new Error('the session ended'));
    this.emit(e);
    const waiters = [...this.closedWaiters, ...this.settledWaiters];
    this.closedWaiters = [];
    this.settledWaiters = [];
    for (const w of waiters) w();
  }
}
