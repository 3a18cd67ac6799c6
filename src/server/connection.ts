import type { Logger } from 'pino';
import type { AckEvent, ClientAction, ErrorDetail, Ref, ServerEvent } from '../core/events.js';
import type { ErrorCode } from '../core/errors.js';
import type { Hub, Peer, Session } from '../core/hub.js';
import type { RateLimitOptions } from '../core/rate-limit.js';
import type { Encoder } from '../protocol/encoder.js';
import { looksLikeJsonHello, parseClientMessage } from '../protocol/json-codec.js';
import type { ServerMessage } from '../protocol/json-messages.js';
import type { DecodedLine } from '../protocol/line-decoder.js';
import { encodeJson, type Format, type Reader } from '../protocol/render.js';
import { TEXTS, type Lang } from '../protocol/texts.js';
import type { Codec, CodecHost } from './codec/codec.js';
import { hello, JSON_LINES, MAX_JSON_LINE_BYTES } from './codec/json.js';
import { MAX_PLAIN_LINE_BYTES, PLAIN } from './codec/plain.js';
import type { Flushable, Flusher } from './flusher.js';
import { InputPacer } from './input-pacer.js';
import type { ServerOptions } from './options.js';
import { OutputQueue } from './output-queue.js';
import type { SharedFanout, SharedReader, View } from './shared-fanout.js';
import type { Transport, TransportHandler } from './transport.js';

/** What a connection needs from the server around it: one object, shared by every connection. */
export interface ConnectionContext {
  hub: Hub;
  flusher: Flusher;
  encoder: Encoder;
  /** The turn's shared log of room events, when the hub was given it as its fanout. */
  fanout?: SharedFanout;
  options: ServerOptions;
  /** Flood control's limits, from `options`: one object for every connection's limiter. */
  floodLimits: RateLimitOptions;
  log: Logger;
  version: string;
  /** The server's identity in key logins when the connection is not TLS (docs/PROTOCOL.md, "Key login"). */
  serverId?: string;
  now(): number;
  /** True while the server reads no input, waiting for its history store to catch up. */
  inputHeld?(): boolean;
  /** Called once when the transport is gone. */
  onClosed(connection: Connection): void;
  /**
   * With history on: messages whose journal write failed this turn, by id, with why. Their
   * acks are held to the end of the turn (after the journal write) and become STORAGE_FAILED.
   */
  unjournaled?: Map<number, string> | null;
}

function onNameTimeout(connection: Connection): void {
  connection.onNameTimeout();
}
function onThrottleEnd(connection: Connection): void {
  connection.onThrottleEnd();
}

/**
 * One client connection, whatever carries it: paces its input (flood control), reads it with
 * the codec its first line chose (plain or JSON), hands requests to the hub, and writes the
 * hub's events back through its output queue, batched per turn.
 */
export class Connection implements Peer, TransportHandler, Flushable, CodecHost, Reader, SharedReader {
  readonly session: Session;
  private chosenCodec: Codec | null = null;
  private language: Lang;
  greeted = false;
  awaitingLogin = false;
  /** Last time a line arrived from the client (ms). */
  lastSeen: number;
  pingSent = false;
  closing = false;

  private readonly pacer: InputPacer;
  private readonly output: OutputQueue;
  private marked = false;
  private gone = false;
  private inputEnded = false;
  private throttled = false;
  private throttleTimer: NodeJS.Timeout | null = null;
  /** Acks of messages held until the turn's journal write has been done (history on). */
  private heldAcks: AckEvent[] | null = null;
  private nameTimer: NodeJS.Timeout | null;
  /** What this connection sees of the shared log (null: to be worked out again). */
  private view: View | null = null;
  /** How far into the shared log this connection has taken its share, and in which of its turns. */
  private logTurn = -1;
  private logAt = 0;

  constructor(
    readonly id: number,
    private readonly transport: Transport,
    private readonly ctx: ConnectionContext,
  ) {
    const { options } = ctx;
    this.language = options.lang;
    this.lastSeen = ctx.now();
    this.pacer = new InputPacer(ctx.floodLimits, this.lastSeen);
    this.output = new OutputQueue(options.sendQueueBytes, transport, ctx.now);
    this.session = ctx.hub.attach(this);
    this.session.address = transport.remoteAddress;
    this.nameTimer = setTimeout(onNameTimeout, options.nameTimeoutSeconds * 1000, this);
    transport.start(this);
    if (transport.jsonOnly) {
      this.codec = JSON_LINES;
      transport.setLineLimit(MAX_JSON_LINE_BYTES);
    }
    // A banned address is told why and until when, before any prompt (docs/SERVER.md, "Bans").
    if (ctx.hub.refuseBanned(this.session)) return;
    if (!transport.jsonOnly) {
      this.writeRaw(`${TEXTS[this.lang].banner(ctx.version)}\n${TEXTS[this.lang].prompt}`);
    }
  }

  /** How the client reads and writes; chosen by its first line. */
  get codec(): Codec | null {
    return this.chosenCodec;
  }

  set codec(codec: Codec | null) {
    this.chosenCodec = codec;
    this.view = null;
  }

  get lang(): Lang {
    return this.language;
  }

  set lang(lang: Lang) {
    this.language = lang;
    this.view = null;
  }

  get format(): Format {
    return this.codec?.format ?? 'plain';
  }

  /** Reader: where plain lines of other rooms get marked. */
  get currentRoom(): string | null {
    return this.session.current?.name ?? null;
  }

  get version(): string {
    return this.ctx.version;
  }

  get heartbeatSeconds(): number {
    return this.ctx.options.heartbeatSeconds;
  }

  get defaultRoom(): string {
    return this.ctx.hub.defaultRoom;
  }

  /** Peer: queue an event for this connection. */
  send(event: ServerEvent): void {
    if (this.gone) return;
    if (event.type === 'ack' && this.ctx.unjournaled && (event.of === 'message' || event.of === 'action')) {
      // Nothing is acknowledged before it is journaled (PROTOCOL.md, "History").
      (this.heldAcks ??= []).push(event);
      return this.mark();
    }
    // Before its first line a client is answered in plain text: it was shown the plain prompt.
    const bytes = this.ctx.encoder.encode(event, this.format, this);
    if (bytes.length > 0) this.queue(bytes);
    if (event.type === 'welcome') this.onJoined();
    if (this.awaitingLogin && (event.type === 'error' || event.type === 'welcome')) {
      // A plain user's password was not accepted: back to the name prompt.
      this.awaitingLogin = false;
      if (event.type === 'error' && this.session.name === null) this.writeRaw(TEXTS[this.lang].prompt);
    }
  }

  /** CodecHost: whether the hub asked this connection for a password. */
  awaitsPassword(): boolean {
    return this.ctx.hub.awaitsPassword(this.session);
  }

  /** Peer: the server as this client sees it: the TLS certificate it was shown, or the server's id. */
  get serverIdentity(): string {
    const fingerprint = this.transport.tlsFingerprint;
    return fingerprint ? `tls:${fingerprint}` : `id:${this.ctx.serverId ?? 'papo'}`;
  }

  /**
   * Stops reading input while the server waits for its store (`held`), or reads again (unless
   * flood control holds it). Lines already read are still handled; output is not held.
   */
  holdInput(held: boolean): void {
    if (this.closing) return;
    if (held) this.transport.pause();
    else if (!this.throttled) this.transport.resume();
  }

  /** Peer: end the connection once queued output is written. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.clearTimers();
    // Keep reading (and ignoring) input, so the client's own close is seen and the transport ends.
    this.transport.resume();
    // Through the flusher: the turn is journaled before this connection's last lines (an ack) go out.
    this.ctx.flusher.flushNow(this);
    if (this.gone) return;
    this.transport.end();
    // A client that does not read its last lines must not hold the connection open.
    setTimeout(() => this.transport.destroy(), 2000).unref();
  }

  /** Cuts the connection at once (shutdown grace period over). */
  destroy(): void {
    this.transport.destroy();
  }

  /** Sends a JSON heartbeat; called by the server's sweep. */
  sendPing(): void {
    this.pingSent = true;
    this.writeJson({ type: 'ping' });
  }

  /** Writes the batch queued this turn in one call. */
  flush(): void {
    this.marked = false;
    this.settle();
    if (this.heldAcks !== null) this.releaseAcks();
    const taken = this.output.take();
    if (taken === null || this.gone) return;
    const { first, more, bytes } = taken;
    this.transport.write(more === null ? first : this.ctx.flusher.join(more, bytes));
    if (this.output.written() === 'slow') this.cutSlow();
  }

  writeRaw(text: string): void {
    this.queue(Buffer.from(text, 'utf8'));
  }

  writeJson(message: ServerMessage): void {
    this.queue(encodeJson(message));
  }

  sendError(code: ErrorCode, detail: ErrorDetail, ref?: Ref): void {
    this.send({ type: 'error', code, detail, ref });
  }

  setLineLimit(bytes: number): void {
    this.transport.setLineLimit(bytes);
  }

  act(action: ClientAction): void {
    this.ctx.hub.handle(this.session, action);
  }

  refuse(): void {
    this.ctx.hub.detach(this.session, 'quit');
  }

  /** SharedReader: takes this connection's share of the turn's room events so far. */
  settle(): void {
    const log = this.ctx.fanout;
    if (log === undefined) return;
    const end = log.length;
    const from = this.logTurn === log.turn ? this.logAt : 0;
    this.logTurn = log.turn;
    this.logAt = end;
    if (from >= end || this.gone) return;
    const rooms = this.session.rooms;
    if (rooms.length === 0) return;
    this.view ??= log.view(this.format, this.language, this.currentRoom, rooms.map((r) => r.name).sort());
    const bytes = log.bytesFor(this.view, from, end);
    if (bytes.length > 0) this.push(bytes);
  }

  /** SharedReader: the log's newest event is not for this connection (it sent it). */
  skip(): void {
    const log = this.ctx.fanout as SharedFanout;
    this.logTurn = log.turn;
    this.logAt = log.length;
  }

  markForFlush(): void {
    if (!this.gone) this.mark();
  }

  resetView(): void {
    this.view = null;
  }

  /** Queues output after this connection's share of the room events logged before it. */
  private queue(bytes: Uint8Array): void {
    this.settle();
    this.push(bytes);
  }

  private push(bytes: Uint8Array): void {
    if (this.gone) return;
    if (this.output.push(bytes) === 'slow' && !this.closing) return this.cutSlow();
    this.mark();
  }

  private mark(): void {
    if (!this.marked) {
      this.marked = true;
      this.ctx.flusher.mark(this);
    }
  }

  /** After the journal write: each held ack goes out, or STORAGE_FAILED if its message was not journaled. */
  private releaseAcks(): void {
    const acks = this.heldAcks as AckEvent[];
    this.heldAcks = null;
    const failed = this.ctx.unjournaled as Map<number, string>;
    for (const ack of acks) {
      const reason = failed.get(ack.id);
      if (reason === undefined) {
        this.queue(this.ctx.encoder.encode(ack, this.format, this));
        continue;
      }
      failed.delete(ack.id);
      const detail = { kind: 'text', text: `${reason}; message ${ack.id} was not acknowledged` } as const;
      this.queue(
        this.ctx.encoder.encode(
          { type: 'error', code: 'STORAGE_FAILED', detail, ref: ack.ref },
          this.format,
          this,
        ),
      );
    }
  }

  /**
   * The client stopped reading: drop it rather than grow memory or slow the others. The hub is
   * told on the next tick, outside whatever broadcast is being delivered now.
   */
  private cutSlow(): void {
    if (this.gone) return;
    const queued = this.output.queuedBytes + this.transport.bufferedBytes;
    this.output.clear();
    this.gone = true;
    this.ctx.log.info({ conn: this.id, queued }, 'send queue full, disconnecting');
    this.transport.destroy();
    process.nextTick(() => this.ctx.hub.detach(this.session, 'slow'));
  }

  /** A line arrived from the client. */
  onTransportLine(line: DecodedLine): void {
    if (this.closing) return;
    const now = this.ctx.now();
    this.lastSeen = now;
    this.pingSent = false;
    const arrival = this.pacer.add(line, now);
    if (arrival === 'flood') return this.onFlood();
    if (arrival === 'now') this.onLine(line);
    else this.drainInput();
  }

  /** The client finished sending. */
  onTransportEnd(): void {
    this.inputEnded = true;
    if (this.pacer.waiting === 0) this.ctx.hub.detach(this.session, 'disconnect');
  }

  onTransportError(err: Error): void {
    this.ctx.log.debug({ conn: this.id, err: err.message }, 'socket error');
  }

  /** The transport is gone. */
  onTransportClose(): void {
    this.gone = true;
    this.clearTimers();
    this.ctx.hub.detach(this.session, 'disconnect');
    this.ctx.onClosed(this);
  }

  /** No name in time. */
  onNameTimeout(): void {
    this.nameTimer = null;
    if (this.session.name !== null || this.closing) return;
    this.sendError('NAME_TIMEOUT', { kind: 'seconds', seconds: this.ctx.options.nameTimeoutSeconds });
    this.ctx.hub.detach(this.session, 'timeout');
  }

  /** A throttled line's time has come. */
  onThrottleEnd(): void {
    this.throttleTimer = null;
    this.drainInput();
  }

  private onJoined(): void {
    if (this.nameTimer) clearTimeout(this.nameTimer);
    this.nameTimer = null;
  }

  private clearTimers(): void {
    if (this.nameTimer) clearTimeout(this.nameTimer);
    if (this.throttleTimer) clearTimeout(this.throttleTimer);
    this.nameTimer = this.throttleTimer = null;
  }

  /**
   * Handles paced lines in order; a throttled line waits for its time, and reading pauses
   * while any line waits, so the backlog never holds more than one read's worth.
   */
  private drainInput(): void {
    while (!this.closing) {
      const next = this.pacer.next(this.ctx.now());
      if (next.kind === 'none') break;
      if (next.kind === 'wait') {
        if (!this.throttled) {
          this.throttled = true;
          const detail = { kind: 'rate', linesPerSecond: this.ctx.options.floodRate } as const;
          this.send({ type: 'notice', code: 'THROTTLED', detail });
        }
        this.transport.pause();
        this.throttleTimer ??= setTimeout(onThrottleEnd, next.ms, this);
        return;
      }
      this.onLine(next.line);
    }
    if (this.closing) return;
    if (this.throttled) {
      this.throttled = false;
      if (!this.ctx.inputHeld?.()) this.transport.resume();
    }
    if (this.inputEnded) this.ctx.hub.detach(this.session, 'disconnect');
  }

  private onFlood(): void {
    this.pacer.clear();
    this.ctx.log.info({ conn: this.id, user: this.session.name }, 'flooding, disconnecting');
    this.sendError('FLOODING', { kind: 'none' });
    this.ctx.hub.detach(this.session, 'flood');
  }

  private onLine(line: DecodedLine): void {
    if (this.codec === null) this.chooseCodec(line);
    else this.codec.onLine(this, line);
  }

  /** The first line picks the format: a JSON `hello` starts JSON lines, anything else is plain text. */
  private chooseCodec(line: DecodedLine): void {
    if (line.kind === 'line' && looksLikeJsonHello(line.text)) {
      const parsed = parseClientMessage(line.text);
      if (parsed.ok && parsed.message.type === 'hello') {
        this.codec = JSON_LINES;
        // End the plain prompt's line, so a JSON client reads whole JSON lines from here on.
        this.writeRaw('\n');
        return hello(this, parsed.message);
      }
    }
    this.codec = PLAIN;
    this.transport.setLineLimit(MAX_PLAIN_LINE_BYTES);
    PLAIN.onLine(this, line);
  }
}
