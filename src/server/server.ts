import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Accounts } from '../core/accounts.js';
import type { SharedCounts, ThrottlePolicy } from '../core/login-throttle.js';
import type { Bus } from '../core/bus.js';
import type { NameClaims } from '../core/claims.js';
import { Hub, type Journal } from '../core/hub.js';
import type { ErrorEvent } from '../core/events.js';
import type { Moderation } from '../core/moderation/index.js';
import { Encoder } from '../protocol/encoder.js';
import { encodeJson, jsonMessage } from '../protocol/render.js';
import { TEXTS } from '../protocol/texts.js';
import type { SqliteHistory, StoreFailure } from '../store/index.js';
import type { FileService } from './files/file-service.js';
import { Admission, type Refusal } from './admission.js';
import type { CertificateFiles } from './certificate.js';
import { MAX_JSON_LINE_BYTES } from './codec/json.js';
import { Connection, type ConnectionContext } from './connection.js';
import { Flusher } from './flusher.js';
import { SharedFanout } from './shared-fanout.js';
import { logListenerDrops } from './listener-drops.js';
import type { ServerOptions } from './options.js';
import { ignoreError, TcpTransport, type TcpTransportOptions } from './tcp-transport.js';
import { createTlsListener, type TlsListener } from './tls-listener.js';
import type { Transport } from './transport.js';

export interface PapoServerDeps {
  options: ServerOptions;
  log: Logger;
  version: string;
  journal?: Journal;
  firstEventId?: number;
  /** Message history: journals public messages, answers replay/history/search, keeps rooms, continues ids. */
  history?: SqliteHistory;
  /** Most sockets one listener may hold open, from the open-file limit (fd-limit.ts). */
  maxSockets?: number;
  /** Registered names (`<data-dir>/accounts.db`); none: every name is free (tests). */
  accounts?: Accounts & { readonly serverId?: string };
  /** How failed logins are slowed and refused (tests make it fast). */
  loginThrottle?: ThrottlePolicy;
  /** Bans, mutes, operators and the audit log (default: in memory, no server operators). */
  moderation?: Moderation;
  /** Cluster mode (src/cluster): the bus and name claims shared with other nodes, and this node's name. */
  cluster?: { bus: Bus; claims: NameClaims; node: string; loginCounts?: SharedCounts };
  /** File transfer (#14), served on the web port; none: `file_offer` gets FILES_OFF. */
  files?: FileService;
}

/** How often busy rooms' joins and leaves are told (docs/PROTOCOL.md, "Busy rooms"). */
const PRESENCE_INTERVAL_MS = 1000;
const TOKEN_BYTES = 24;
const TOKENS_PER_DRAW = 256;

/**
 * Session tokens: 24 bytes from the CSPRNG each, drawn 256 at a time (one system call for
 * many joins), base64url-encoded; every token uses bytes no other token saw.
 */
export function tokenSource(): () => string {
  let pool = Buffer.alloc(0);
  let used = 0;
  return () => {
    if (used === pool.length) {
      pool = randomBytes(TOKEN_BYTES * TOKENS_PER_DRAW);
      used = 0;
    }
    const token = pool.toString('base64url', used, used + TOKEN_BYTES);
    pool.fill(0, used, used + TOKEN_BYTES); // a handed-out token leaves no copy behind
    used += TOKEN_BYTES;
    return token;
  };
}

/** The chat server: one hub, its listeners, and every connection's lifecycle. */
export class PapoServer {
  readonly hub: Hub;
  readonly flusher = new Flusher();
  private readonly fanout: SharedFanout;
  private readonly listeners: Server[] = [];
  private tlsListener: TlsListener | null = null;
  private readonly connections = new Set<Connection>();
  /** Set while the history store catches up (holdInput). */
  private inputHeld = false;
  /** Messages whose journal write failed, until their senders' acks are turned into errors. */
  private readonly unjournaled = new Map<number, string>();
  /** Counts every listener's connections, a TLS one from before its handshake. */
  private readonly admission: Admission;
  private nextConnectionId = 1;
  private readonly tcpOptions: TcpTransportOptions;
  private heartbeat: NodeJS.Timeout | null = null;
  /** Summarises busy rooms' joins and leaves once a second. */
  private presence: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  /** What every connection is handed: one object for all of them. */
  private readonly connectionContext: ConnectionContext;

  constructor(private readonly deps: PapoServerDeps) {
    const { options } = deps;
    const encoder = new Encoder();
    const fanout = new SharedFanout(encoder);
    this.fanout = fanout;
    this.flusher.setTurnLog(fanout);
    this.hub = new Hub({
      clock: Date,
      newToken: tokenSource(),
      journal: deps.history ? this.historyJournal(deps.history) : deps.journal,
      firstEventId: deps.history?.nextEventId() ?? deps.firstEventId,
      history: deps.history,
      roomStore: deps.history,
      historyReplay: options.historyReplay,
      defaultRoom: options.defaultRoom,
      maxRooms: options.maxRooms,
      maxRoomsPerUser: options.maxRoomsPerUser,
      busyRoom: options.busyRoom,
      logins: {
        accounts: deps.accounts,
        wait: (ms, fn) => void setTimeout(fn, ms).unref(),
        requireAccount: options.requireAccount,
        registration: options.registration,
        reserved: options.reservedNames,
        throttle: deps.loginThrottle,
        sharedThrottle: deps.cluster?.loginCounts,
        // Never the password: who, from where, and why.
        onFailure: (f) => deps.log.warn({ user: f.name, ip: f.address, reason: f.reason }, 'login failed'),
      },
      moderation: deps.moderation,
      fanout,
      ...(deps.cluster ?? {}),
      files: deps.files,
    });
    if (deps.files) deps.files.onStored = (file) => this.hub.publishFile(file);
    this.tcpOptions = { keepaliveSeconds: options.keepaliveSeconds, firstLineBytes: MAX_JSON_LINE_BYTES };
    this.admission = new Admission(deps.options);
    this.connectionContext = {
      hub: this.hub,
      flusher: this.flusher,
      encoder,
      fanout,
      unjournaled: deps.history ? this.unjournaled : null,
      options: this.deps.options,
      floodLimits: {
        linesPerSecond: deps.options.floodRate,
        burstLines: deps.options.floodBurst,
        disconnectAfterSeconds: deps.options.floodDisconnectSeconds,
      },
      log: this.deps.log,
      version: this.deps.version,
      serverId: deps.accounts?.serverId,
      now: Date.now,
      inputHeld: () => this.inputHeld,
      onClosed: (c) => {
        this.connections.delete(c);
        this.deps.log.debug({ conn: c.id, user: c.session.name }, 'closed');
      },
    };
  }

  /**
   * While the history worker is too far behind (the CPU is short), no connection reads input:
   * what was sent keeps flowing out, and new lines wait in their senders' sockets.
   */
  private holdInput(held: boolean): void {
    this.inputHeld = held;
    if (held) this.deps.log.warn('history: the store is behind; reading no input until it catches up');
    else this.deps.log.info('history: the store caught up; reading input again');
    for (const c of this.connections) c.holdInput(held);
  }

  /**
   * Wires the store to the turn: records are buffered as the hub publishes and journaled in one
   * write before any output of the turn is written (docs/ARCHITECTURE.md, "Output, batching").
   */
  private historyJournal(history: SqliteHistory): Journal {
    history.nextIdSource = () => this.hub.nextEventId;
    history.onFailure = this.onHistoryFailure;
    history.lag.onBacklog = (behind) => this.holdInput(behind);
    this.flusher.beforeFlush(() => history.flush());
    return {
      record: (event) => {
        history.record(event);
        // A message nobody else is online to receive is still journaled this turn.
        this.flusher.schedule();
      },
    };
  }

  /**
   * What the store reports: a journal write that failed (those messages are not acknowledged:
   * their senders get STORAGE_FAILED with the ref instead of the ack), commits delayed and
   * resumed (nothing is lost: logged only), a stopped worker, failed upkeep.
   */
  private readonly onHistoryFailure = (failure: StoreFailure): void => {
    const { log } = this.deps;
    switch (failure.kind) {
      case 'not_journaled': {
        const ids = failure.lost.map((m) => m.id);
        log.error({ err: failure.error.message, ids }, 'history: cannot journal; messages not acknowledged');
        for (const id of ids) this.unjournaled.set(id, failure.reason);
        return;
      }
      case 'delayed':
        return log.warn(
          { err: failure.error.message, waiting: failure.waiting, retryMs: failure.retryMs },
          'history: cannot store yet; kept in the journal, retrying',
        );
      case 'resumed':
        return log.info({ stored: failure.stored, delayedMs: failure.delayedMs }, 'history: storing again');
      case 'stopped':
        return log.error(
          { err: failure.error.message },
          'history: the store stopped; the journal keeps every message',
        );
      case 'upkeep':
        return log.warn({ err: failure.error.message }, 'history: upkeep failed; tried again later');
    }
  };

  /** File transfer, when on (the web listener routes its HTTP side). */
  get files(): FileService | undefined {
    return this.deps.files;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Starts the plain/JSON TCP listener; resolves with the address actually bound. */
  async listen(): Promise<AddressInfo> {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, this.onConnection);
    server.maxConnections = this.maxSockets;
    return this.bind(server, this.deps.options.port);
  }

  /**
   * Starts the TLS listener on `tlsPort`, serving the certificate in `files`; its sockets join
   * the same chat through `startConnection` once their handshake is done; `admission` counts
   * them from the moment their TCP connection is accepted.
   */
  async listenTls(files: CertificateFiles): Promise<AddressInfo> {
    const { options, log } = this.deps;
    const listener = createTlsListener({
      files,
      handshakeTimeoutMs: options.tlsHandshakeTimeoutSeconds * 1000,
      maxConnections: this.maxSockets,
      admission: this.admission,
      log,
      onConnection: this.startConnection,
    });
    const address = await this.bind(listener.server, options.tlsPort);
    this.tlsListener = listener;
    return address;
  }

  /** Fingerprint of the certificate the TLS listener serves now (null without one). */
  get tlsFingerprint(): string | null {
    return this.tlsListener?.fingerprint ?? null;
  }

  /** Re-reads the TLS certificate files (SIGHUP); connected users stay, a bad file is only logged. */
  reloadTls(): ReturnType<TlsListener['reload']> | null {
    return this.tlsListener?.reload() ?? null;
  }

  /**
   * Room on each listener for every client and as many being refused, within the open-file
   * limit; past it Node closes new connections at once ('drop').
   */
  private get maxSockets(): number {
    return Math.min(this.deps.options.maxClients * 2, this.deps.maxSockets ?? Infinity);
  }

  private async bind(server: Server, port: number): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.deps.options.host, port, backlog: 1024 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    logListenerDrops(server, this.deps.log);
    this.listeners.push(server);
    this.startHeartbeat();
    return server.address() as AddressInfo;
  }

  /** Accepts a plain TCP socket: counted in, or refused with a plain line. */
  readonly onConnection = (socket: Socket): void => {
    socket.on('error', ignoreError);
    if (this.stopping) return void socket.destroy();
    const refusal = this.admit(socket);
    if (refusal !== null) return this.refuse(new TcpTransport(socket, this.tcpOptions), refusal);
    this.startConnection(socket);
  };

  /**
   * Counts a raw socket in under `--max-clients` and `--max-per-ip` until it closes, or says why
   * it may not come in: every transport is admitted on its socket's arrival (TLS before its
   * handshake, WebSocket before its upgrade), then handed to `accept`.
   */
  admit(socket: Socket, ip?: string): Refusal | null {
    return this.admission.admit(socket, ip);
  }

  /**
   * Refuses an admitted-or-not transport with one line: plain (the protocol is not known yet),
   * or the JSON `error` on a transport that speaks only JSON (WebSocket).
   */
  refuse(transport: Transport, refusal: Refusal): void {
    const { lang } = this.deps.options;
    const error: ErrorEvent = {
      type: 'error',
      code: refusal.code,
      detail: { kind: 'limit', limit: refusal.limit },
    };
    const text = TEXTS[lang].error(error.code, error.detail);
    this.deps.log.info({ ip: transport.remoteAddress }, text);
    transport.write(
      transport.jsonOnly ? encodeJson(jsonMessage(error, lang)) : Buffer.from(`!! ${text}\n`, 'utf8'),
    );
    transport.end();
    setTimeout(() => transport.destroy(), 2000).unref();
  }

  /** Starts the chat on an admitted socket: plain TCP, or TLS once its handshake is done. */
  private readonly startConnection = (socket: Socket): void => {
    this.accept(new TcpTransport(socket, this.tcpOptions));
  };

  /** The one way in for every admitted transport (TCP, TLS, WebSocket): a new `Connection`. */
  accept(transport: Transport): void {
    const { log } = this.deps;
    if (this.stopping) return transport.destroy();
    const id = this.nextConnectionId++;
    log.debug({ conn: id, ip: transport.remoteAddress }, 'connected');
    this.connections.add(new Connection(id, transport, this.connectionContext));
  }

  /** JSON clients get a ping after a quiet interval and are dropped after two. */
  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.presence = setInterval(() => this.hub.flushPresence(), PRESENCE_INTERVAL_MS);
    this.presence.unref();
    const intervalMs = this.deps.options.heartbeatSeconds * 1000;
    const idleMs = this.deps.options.idleTimeoutSeconds * 1000;
    const sweepMs = Math.max(50, Math.min(intervalMs, idleMs > 0 ? idleMs : intervalMs) / 4);
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      for (const c of this.connections) {
        const quiet = now - c.lastSeen;
        if (idleMs > 0 && quiet >= idleMs && c.session.name !== null) {
          c.sendError('IDLE_TIMEOUT', { kind: 'seconds', seconds: this.deps.options.idleTimeoutSeconds });
          this.hub.detach(c.session, 'timeout');
        } else if (c.format !== 'json') continue;
        else if (quiet >= 2 * intervalMs) this.hub.detach(c.session, 'timeout');
        else if (quiet >= intervalMs && !c.pingSent) c.sendPing();
      }
    }, sweepMs);
    this.heartbeat.unref();
  }

  /**
   * Stops accepting, tells every user the server is shutting down, and resolves once every
   * connection has closed (or `graceMs` has passed, after which the rest are cut).
   */
  stop(graceMs = 3000): Promise<void> {
    this.stopping ??= (async () => {
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (this.presence) clearInterval(this.presence);
      this.fanout.close();
      const closed = this.listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve())));
      this.hub.shutdown();
      this.flusher.run();
      const deadline = setTimeout(() => {
        for (const c of this.connections) c.destroy();
      }, graceMs);
      await Promise.all([...closed]);
      clearTimeout(deadline);
    })();
    return this.stopping;
  }
}
