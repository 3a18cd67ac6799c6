import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ClientAction, ErrorDetail, ServerEvent } from '../core/events.js';
import type { ErrorCode } from '../core/errors.js';
import type { Hub, Peer, Session } from '../core/hub.js';
import { RateLimiter, type RateLimitOptions } from '../core/rate-limit.js';
import { MAX_MESSAGE_BYTES } from '../core/text.js';
import { LineDecoder, type DecodedLine } from '../protocol/line-decoder.js';
import { parseClientMessage, looksLikeJsonHello } from '../protocol/json-codec.js';
import { PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from '../protocol/json-messages.js';
import { helpLines, isSair, parsePlainLine } from '../protocol/plain-commands.js';
import { encodeEvent, encodeJson, type Format } from '../protocol/render.js';
import { isLang, TEXTS, type Lang } from '../protocol/texts.js';
import type { Flusher } from './flusher.js';
import type { ServerOptions } from './options.js';

/** Longest JSON line a client may send (a 1024-byte text can take six times that once escaped). */
export const MAX_JSON_LINE_BYTES = 16 * 1024;
/** Longest plain line measured exactly; longer ones are counted while being dropped. */
const MAX_PLAIN_LINE_BYTES = 8 * 1024;
/** Most bytes a dropped over-long line is charged to flood control. */
const MAX_CHARGED_DROPPED_BYTES = 64 * 1024;

/** A decoded line waiting its turn; `notBefore` (ms) holds it back while the sender is throttled. */
interface Pending {
  line: DecodedLine;
  notBefore: number;
}

/** What a connection needs from the server around it: one object, shared by every connection. */
export interface ConnectionContext {
  hub: Hub;
  flusher: Flusher;
  options: ServerOptions;
  /** Flood control's limits, from `options`: one object for every connection's limiter. */
  floodLimits: RateLimitOptions;
  log: Logger;
  version: string;
  now(): number;
  /** Called once when the socket is gone. */
  onClosed(connection: Connection): void;
}

/** The connection a socket belongs to. */
const CONNECTION = Symbol('papo.connection');
type OwnedSocket = Socket & { [CONNECTION]?: Connection };

// One set of socket listeners for all connections (each finds its own through the socket), not
// a set of closures per connection: an idle connection's memory is mostly what it holds.
function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[CONNECTION]?.onData(chunk);
}
function onSocketEnd(this: OwnedSocket): void {
  this[CONNECTION]?.onEnd();
}
function onSocketError(this: OwnedSocket, err: Error): void {
  this[CONNECTION]?.onError(err);
}
function onSocketClose(this: OwnedSocket): void {
  this[CONNECTION]?.onClose();
}
function onNameTimeout(connection: Connection): void {
  connection.onNameTimeout();
}
function onThrottleEnd(connection: Connection): void {
  connection.onThrottleEnd();
}

/**
 * One client connection: decodes its lines, picks plain or JSON from its first line, applies
 * flood control, hands requests to the hub and writes the hub's events back, batched per turn
 * and bounded by the send queue limit.
 */
export class Connection implements Peer {
  readonly session: Session;
  format: Format | null = null;
  lang: Lang;
  /** Last time anything arrived from the client (ms). */
  lastSeen: number;
  pingSent = false;

  private readonly decoder = new LineDecoder(MAX_JSON_LINE_BYTES);
  private readonly limiter: RateLimiter;
  private readonly backlog: Pending[] = [];
  /** This turn's output: its first chunk, and the rest once there is more than one. */
  private out: Uint8Array | null = null;
  private outMore: Uint8Array[] | null = null;
  private outBytes = 0;
  /** The socket's unsent bytes after the last write: they only shrink until the next one. */
  private socketBacklog = 0;
  private marked = false;
  private closing = false;
  private gone = false;
  private inputEnded = false;
  private throttleTimer: NodeJS.Timeout | null = null;
  private nameTimer: NodeJS.Timeout | null;
  private warnedThrottle = false;

  constructor(
    readonly id: number,
    private readonly socket: OwnedSocket,
    /** The client's address, as the server counts connections per address. */
    readonly ip: string,
    private readonly ctx: ConnectionContext,
  ) {
    const { options } = ctx;
    this.lang = options.lang;
    this.lastSeen = ctx.now();
    this.limiter = new RateLimiter(ctx.floodLimits, this.lastSeen);
    this.session = ctx.hub.attach(this);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, options.keepaliveSeconds * 1000);
    socket[CONNECTION] = this;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    this.nameTimer = setTimeout(onNameTimeout, options.nameTimeoutSeconds * 1000, this);
    this.writeRaw(`${TEXTS[this.lang].banner(ctx.version)}\n${TEXTS[this.lang].prompt}`);
  }

  /** Peer: queue an event for this connection. */
  send(event: ServerEvent): void {
    if (this.gone) return;
    // Before its first line a client is answered in plain text: it was shown the plain prompt.
    const bytes = encodeEvent(event, this.format ?? 'plain', this.lang);
    if (bytes.length > 0) this.queue(bytes);
    if (event.type === 'welcome') this.onJoined();
  }

  /** Peer: end the connection once queued output is written. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.clearTimers();
    // Keep reading (and ignoring) input, so the client's own close is seen and the socket ends.
    this.socket.resume();
    // Through the flusher: the turn is journaled before this connection's last lines (an ack) go out.
    this.ctx.flusher.flushNow(this);
    if (this.gone) return;
    this.socket.end();
    // A client that does not read its last lines must not hold the socket open.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /** Cuts the connection at once (shutdown grace period over). */
  destroy(): void {
    this.socket.destroy();
  }

  /** Sends a JSON heartbeat; called by the server's sweep. */
  sendPing(): void {
    this.pingSent = true;
    this.queueJson({ type: 'ping' });
  }

  /** Writes the batch queued this turn in one call. */
  flush(): void {
    this.marked = false;
    const first = this.out;
    if (first === null || this.gone) return;
    const chunk = this.outMore === null ? first : this.ctx.flusher.join(this.outMore, this.outBytes);
    this.out = this.outMore = null;
    this.outBytes = 0;
    this.socket.write(chunk);
    this.socketBacklog = this.socket.writableLength;
  }

  /**
   * Whether papo's queue and the socket's unsent bytes pass the send queue limit. The socket is
   * asked only when the figure it gave at the last write says so: that figure can only have
   * shrunk since, so most events cost no call into the stream.
   */
  private overLimit(): boolean {
    const limit = this.ctx.options.sendQueueBytes;
    if (this.outBytes + this.socketBacklog <= limit) return false;
    this.socketBacklog = this.socket.writableLength;
    return this.outBytes + this.socketBacklog > limit;
  }

  private queue(bytes: Uint8Array): void {
    if (this.gone) return;
    if (this.out === null) this.out = bytes;
    else if (this.outMore === null) this.outMore = [this.out, bytes];
    else this.outMore.push(bytes);
    this.outBytes += bytes.length;
    if (this.overLimit() && !this.closing) {
      // The client stopped reading: drop it rather than grow memory or slow the others. The
      // hub is told on the next tick, outside whatever broadcast is being delivered now.
      this.out = this.outMore = null;
      this.outBytes = 0;
      this.gone = true;
      this.ctx.log.info({ conn: this.id, queued: this.socketBacklog }, 'send queue full, disconnecting');
      this.socket.destroy();
      process.nextTick(() => this.ctx.hub.detach(this.session, 'slow'));
      return;
    }
    if (!this.marked) {
      this.marked = true;
      this.ctx.flusher.mark(this);
    }
  }

  private writeRaw(text: string): void {
    this.queue(Buffer.from(text, 'utf8'));
  }

  private queueJson(message: ServerMessage): void {
    this.queue(encodeJson(message));
  }

  private sendError(code: ErrorCode, detail: ErrorDetail, ref?: string | number): void {
    this.send({ type: 'error', code, detail, ref });
  }

  /** Bytes arrived from the client. */
  onData(chunk: Buffer): void {
    if (this.closing) return;
    const now = this.ctx.now();
    this.lastSeen = now;
    this.pingSent = false;
    for (const line of this.decoder.push(chunk)) {
      // Lines are charged as they arrive, so a sender far over its rate runs into debt and is
      // cut off, while one a little over it is merely slowed down (PROTOCOL.md, "Limits").
      // A dropped over-long line is charged as at most 64 KiB: it is refused with an error.
      const charged = line.kind === 'too_long' ? Math.min(line.bytes, MAX_CHARGED_DROPPED_BYTES) : line.bytes;
      const decision = this.limiter.take(charged, now);
      if (decision.kind === 'flood') return this.onFlood();
      this.backlog.push({ line, notBefore: decision.kind === 'throttle' ? now + decision.delayMs : 0 });
    }
    this.drainBacklog();
  }

  /** The client finished sending. */
  onEnd(): void {
    this.inputEnded = true;
    if (this.backlog.length === 0) this.ctx.hub.detach(this.session, 'disconnect');
  }

  onError(err: Error): void {
    this.ctx.log.debug({ conn: this.id, err: err.message }, 'socket error');
  }

  /** The socket is gone. */
  onClose(): void {
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
   * Handles decoded lines in order; a throttled line waits for its time, and reading pauses
   * while any line waits, so the backlog never holds more than one read's worth.
   */
  private drainBacklog(): void {
    while (this.backlog.length > 0 && !this.closing) {
      const head = this.backlog[0] as Pending;
      const wait = head.notBefore - this.ctx.now();
      if (wait > 0) {
        if (!this.warnedThrottle) {
          this.warnedThrottle = true;
          const detail = { kind: 'rate', linesPerSecond: this.ctx.options.floodRate } as const;
          this.send({ type: 'notice', code: 'THROTTLED', detail });
        }
        this.socket.pause();
        this.throttleTimer ??= setTimeout(onThrottleEnd, wait, this);
        return;
      }
      this.backlog.shift();
      this.onLine(head.line);
    }
    if (this.closing) return;
    if (this.warnedThrottle) {
      this.warnedThrottle = false;
      this.socket.resume();
    }
    if (this.inputEnded) this.ctx.hub.detach(this.session, 'disconnect');
  }

  private onFlood(): void {
    this.backlog.length = 0;
    this.ctx.log.info({ conn: this.id, user: this.session.name }, 'flooding, disconnecting');
    this.sendError('FLOODING', { kind: 'none' });
    this.ctx.hub.detach(this.session, 'flood');
  }

  /** A throttled line's time has come. */
  onThrottleEnd(): void {
    this.throttleTimer = null;
    this.drainBacklog();
  }

  private onLine(line: DecodedLine): void {
    if (this.format === null) return this.onFirstLine(line);
    if (this.format === 'json') return this.onJsonLine(line);
    return this.onPlainLine(line);
  }

  private onFirstLine(line: DecodedLine): void {
    if (line.kind === 'line' && looksLikeJsonHello(line.text)) {
      const parsed = parseClientMessage(line.text);
      if (parsed.ok && parsed.message.type === 'hello') return this.startJson(parsed.message);
    }
    this.format = 'plain';
    this.decoder.setLimit(MAX_PLAIN_LINE_BYTES);
    this.onPlainLine(line);
  }

  private startJson(hello: Extract<ClientMessage, { type: 'hello' }>): void {
    this.format = 'json';
    if (isLang(hello.lang)) this.lang = hello.lang;
    // End the plain prompt's line, so a JSON client reads whole JSON lines from here on.
    this.writeRaw('\n');
    if (hello.version !== PROTOCOL_VERSION) {
      this.sendError('UNSUPPORTED_VERSION', { kind: 'text', text: String(hello.version) });
      this.ctx.hub.detach(this.session, 'quit');
      return;
    }
    this.queueJson({
      type: 'hello',
      version: PROTOCOL_VERSION,
      server: `papo/${this.ctx.version}`,
      limits: { messageBytes: MAX_MESSAGE_BYTES, nameChars: 32, lineBytes: MAX_JSON_LINE_BYTES },
      heartbeatSeconds: this.ctx.options.heartbeatSeconds,
    });
    if (hello.name !== undefined) this.act({ type: 'join', name: hello.name, token: hello.token });
  }

  private onPlainLine(line: DecodedLine): void {
    const joined = this.session.name !== null;
    if (line.kind === 'too_long') {
      if (joined)
        return this.sendError('MESSAGE_TOO_LONG', {
          kind: 'size',
          bytes: line.bytes,
          limit: MAX_MESSAGE_BYTES,
        });
      this.sendError('LINE_TOO_LONG', { kind: 'size', bytes: line.bytes, limit: MAX_PLAIN_LINE_BYTES });
      return this.writeRaw(TEXTS[this.lang].prompt);
    }
    if (!joined) return this.onPlainName(line.text);
    const input = parsePlainLine(line.text);
    switch (input.kind) {
      case 'ignore':
        return;
      case 'action':
        return this.act(input.action);
      case 'help': {
        const t = TEXTS[this.lang];
        return this.writeRaw([t.helpHeader, ...helpLines(this.lang), t.helpFooter].join('\n') + '\n');
      }
      case 'unknown':
        return this.sendError('UNKNOWN_COMMAND', { kind: 'command', command: input.command.slice(0, 32) });
      case 'usage':
        return this.sendError('USAGE', { kind: 'usage', command: input.usage });
    }
  }

  private onPlainName(text: string): void {
    const requested = text.trim();
    if (isSair(requested) || requested.toLowerCase() === '/quit') return this.act({ type: 'quit' });
    this.act({ type: 'join', name: requested });
    if (this.session.name === null && !this.closing) this.writeRaw(TEXTS[this.lang].prompt);
  }

  private onJsonLine(line: DecodedLine): void {
    if (line.kind === 'too_long') {
      return this.sendError('LINE_TOO_LONG', { kind: 'size', bytes: line.bytes, limit: MAX_JSON_LINE_BYTES });
    }
    if (line.text.trim().length === 0) return;
    const parsed = parseClientMessage(line.text);
    if (!parsed.ok) return this.sendError(parsed.code, { kind: 'text', text: parsed.reason }, parsed.ref);
    const m = parsed.message;
    switch (m.type) {
      case 'hello':
        if (isLang(m.lang)) this.lang = m.lang;
        if (m.name !== undefined) this.act({ type: 'join', name: m.name, token: m.token });
        return;
      case 'pong':
        return;
      default:
        return this.act(m);
    }
  }

  private act(action: ClientAction): void {
    this.ctx.hub.handle(this.session, action);
  }
}
