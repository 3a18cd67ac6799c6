import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { Hub, type Journal } from '../core/hub.js';
import { Encoder } from '../protocol/encoder.js';
import { TEXTS } from '../protocol/texts.js';
import type { SqliteHistory, StoreFailure } from '../store/index.js';
import type { CertificateFiles } from './certificate.js';
import { MAX_JSON_LINE_BYTES } from './codec/json.js';
import { Connection, type ConnectionContext } from './connection.js';
import { Flusher } from './flusher.js';
import type { ServerOptions } from './options.js';
import { TcpTransport, type TcpTransportOptions } from './tcp-transport.js';
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

/** Until a Connection takes over a socket: a refused one can race a reset. */
function ignoreError(): void {}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** The chat server: one hub, its listeners, and every connection's lifecycle. */
export class PapoServer {
  readonly hub: Hub;
  readonly flusher = new Flusher();
  private readonly listeners: Server[] = [];
  private tlsListener: TlsListener | null = null;
  private readonly connections = new Set<Connection>();
  private readonly perIp = new Map<string, number>();
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
    });
    this.tcpOptions = { keepaliveSeconds: options.keepaliveSeconds, firstLineBytes: MAX_JSON_LINE_BYTES };
    this.connectionContext = {
      hub: this.hub,
      flusher: this.flusher,
      encoder: new Encoder(),
      options: this.deps.options,
      floodLimits: {
        linesPerSecond: deps.options.floodRate,
        burstLines: deps.options.floodBurst,
        disconnectAfterSeconds: deps.options.floodDisconnectSeconds,
      },
      log: this.deps.log,
      version: this.deps.version,
      now: Date.now,
      onClosed: (c) => {
        this.connections.delete(c);
        const left = (this.perIp.get(c.ip) ?? 1) - 1;
        if (left <= 0) this.perIp.delete(c.ip);
        else this.perIp.set(c.ip, left);
        this.deps.log.debug({ conn: c.id, user: c.session.name }, 'closed');
      },
    };
  }

  /**
   * Wires the store to the turn: records are buffered as the hub publishes and journaled in one
   * write before any output of the turn is written (docs/ARCHITECTURE.md, "Output, batching").
   */
  private historyJournal(history: SqliteHistory): Journal {
    history.nextIdSource = () => this.hub.nextEventId;
    history.onFailure = this.onHistoryFailure;
    this.flusher.beforeFlush(() => history.flush());
    return {
      record: (event) => {
        history.record(event);
        // A message nobody else is online to receive is still journaled this turn.
        this.flusher.schedule();
      },
    };
  }

  /** Storing failed (disk full, I/O error, the worker stopped): log, tell each sender, keep serving. */
  private readonly onHistoryFailure = (failure: StoreFailure): void => {
    this.deps.log.error({ err: failure.error.message, lost: failure.lost.length }, 'history: cannot store');
    const senders = new Set(failure.lost.map((r) => r.from));
    for (const name of senders) {
      this.hub.findUser(name)?.peer.send({
        type: 'error',
        code: 'STORAGE_FAILED',
        detail: { kind: 'text', text: failure.reason },
      });
    }
  };

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Starts the plain/JSON TCP listener; resolves with the address actually bound. */
  async listen(): Promise<AddressInfo> {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, this.onConnection);
    server.maxConnections = this.deps.options.maxClients * 2;
    return this.bind(server, this.deps.options.port);
  }

  /**
   * Starts the TLS listener on `tlsPort`, serving the certificate in `files`; its sockets join
   * the same chat through `onConnection` once their handshake is done.
   */
  async listenTls(files: CertificateFiles): Promise<AddressInfo> {
    const { options, log } = this.deps;
    const listener = createTlsListener({
      files,
      handshakeTimeoutMs: options.tlsHandshakeTimeoutSeconds * 1000,
      maxConnections: options.maxClients * 2,
      log,
      onConnection: this.onConnection,
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

  private async bind(server: Server, port: number): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.deps.options.host, port, backlog: 1024 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.deps.log.error({ err: err.message }, 'listener error'));
    this.listeners.push(server);
    this.startHeartbeat();
    return server.address() as AddressInfo;
  }

  /** Accepts a socket from TCP, or from TLS once its handshake is done. */
  readonly onConnection = (socket: Socket): void => {
    socket.on('error', ignoreError);
    if (this.stopping) return void socket.destroy();
    this.accept(new TcpTransport(socket, this.tcpOptions));
  };

  /**
   * The one way in for every transport (TCP, TLS, WebSocket): applies the connection limits,
   * then hands the transport to a new `Connection`.
   */
  accept(transport: Transport): void {
    const { options, log } = this.deps;
    const ip = transport.remoteAddress;
    if (this.stopping) return transport.destroy();
    if (this.connections.size >= options.maxClients) {
      return this.refuse(
        transport,
        TEXTS[options.lang].error('SERVER_FULL', { kind: 'limit', limit: options.maxClients }),
      );
    }
    const countsForIp = options.maxPerIp > 0 && (options.limitLoopback || !isLoopback(ip));
    if (countsForIp && (this.perIp.get(ip) ?? 0) >= options.maxPerIp) {
      return this.refuse(
        transport,
        TEXTS[options.lang].error('TOO_MANY_FROM_ADDRESS', { kind: 'limit', limit: options.maxPerIp }),
      );
    }
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    const id = this.nextConnectionId++;
    log.debug({ conn: id, ip }, 'connected');
    this.connections.add(new Connection(id, transport, this.connectionContext));
  }

  private refuse(transport: Transport, text: string): void {
    this.deps.log.info({ ip: transport.remoteAddress }, text);
    transport.write(Buffer.from(`!! ${text}\n`, 'utf8'));
    transport.end();
    setTimeout(() => transport.destroy(), 2000).unref();
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
