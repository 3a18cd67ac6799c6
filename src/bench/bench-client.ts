import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { scanTokens } from './payload.js';
import {
  closeFrame,
  encodeTextFrames,
  OP_CLOSE,
  OP_PING,
  pongFrame,
  readUpgradeResponse,
  upgradeRequest,
  WsFrameDecoder,
} from './ws-frames.js';

/** How bench clients speak: the plain protocol (name at the prompt) or JSON lines. */
export type BenchProto = 'plain' | 'json';
/** What bench clients connect over: TCP (or TLS) lines, or a WebSocket on the web port (JSON). */
export type BenchTransport = 'tcp' | 'ws';
/** Path of papo's WebSocket endpoint. */
export const WS_PATH = '/ws';

/** Microseconds on the monotonic clock every bench timestamp uses. */
export function nowUs(): number {
  return performance.now() * 1000;
}

/** Called for every token a joined client receives, with the time its chunk arrived. */
export type TokenHandler = (
  receiver: number,
  sender: number,
  seq: number,
  dueUs: number,
  atUs: number,
) => void;

export interface ClientOptions {
  address: string;
  port: number;
  proto: BenchProto;
  /** A WebSocket (`ws`, JSON only) instead of lines on TCP (default `tcp`). */
  transport?: BenchTransport;
  /** Connect with TLS; the certificate is not checked (the bench measures, it does not trust). */
  tls?: boolean;
  /** Index of this client in its scenario (tokens carry the sender's index). */
  index: number;
  name: string;
  /** Milliseconds allowed from connect to welcome. */
  joinTimeoutMs: number;
  /** A room to enter after joining (made current, so plain lines go there). */
  room?: string;
  onToken?: TokenHandler;
  /**
   * A plain server that answers the name with nothing for the joiner (the C ceiling server,
   * `ideal-c`: only the others are told): `self` counts the client as joined once its name is
   * sent (the first client); `observer` waits for `confirmJoined()` (an observer saw its join
   * notice), after `onAwaitingJoin`. Unset: such a server never welcomes the client.
   */
  silentJoin?: 'self' | 'observer';
  onAwaitingJoin?: (client: BenchClient) => void;
}

const NL = 0x0a;
/** The server's JSON heartbeat (a user's text inside a message would have its quotes escaped). */
const JSON_PING = Buffer.from('{"type":"ping"}');
/** A partial line longer than this is dropped: bench lines are short. */
const MAX_CARRY_BYTES = 1 << 20;

/**
 * One load-test connection. It joins (plain: answers the prompt with its name; JSON: `hello`
 * with a name) and then scans what it receives for bench tokens without decoding lines to
 * strings, so one process can read a few hundred thousand lines per second.
 */
export class BenchClient {
  readonly socket: Socket;
  state: 'upgrading' | 'greeting' | 'naming' | 'rooming' | 'joined' | 'closed' = 'greeting';
  /** An observer's hook: every whole line it receives once joined (costly: a few clients only). */
  onLine: ((line: string) => void) | null = null;
  /** Joined without a welcome (see `silentJoin`). */
  joinedSilently = false;
  /** Tokens that had the prefix but not the numbers. */
  malformed = 0;
  /** Set when the connection closed; resolves then. */
  readonly closed: Promise<void>;
  private carry: Buffer | null = null;
  private joinResolve: (() => void) | null = null;
  private joinReject: ((err: Error) => void) | null = null;
  private readonly onToken: TokenHandler | undefined;
  private readonly emitToken = (sender: number, seq: number, dueUs: number): void => {
    this.onToken?.(this.index, sender, seq, dueUs, this.chunkAtUs);
  };
  private chunkAtUs = 0;
  /** With a WebSocket: the frame decoder, and the accept value until the upgrade is answered. */
  private frames: WsFrameDecoder | null = null;
  private upgradeAccept: string | null = null;
  /** Whether the greeting had a whole line before the name prompt (papo's banner does). */
  private greetingHadLine = false;

  private constructor(private readonly o: ClientOptions) {
    this.onToken = o.onToken;
    this.socket = o.tls
      ? tlsConnect({ host: o.address, port: o.port, rejectUnauthorized: false })
      : connect({ host: o.address, port: o.port, noDelay: true });
    this.socket.setNoDelay(true);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('error', (err) => this.failJoin(err));
    this.socket.on('close', () => {
      this.state = 'closed';
      this.failJoin(new Error('the server closed the connection'));
    });
    if (o.transport === 'ws') {
      this.socket.on('data', (chunk: Buffer) => this.onWsData(chunk));
      const { request, accept } = upgradeRequest(`${o.address}:${o.port}`, WS_PATH);
      this.upgradeAccept = accept;
      this.frames = new WsFrameDecoder((opcode, payload) => this.onWsControl(opcode, payload));
      this.socket.write(request);
      this.state = 'upgrading';
      return;
    }
    this.socket.on('data', (chunk: Buffer) => this.onSocketData(chunk));
    if (o.proto === 'json') this.hello();
  }

  private hello(): void {
    // Version 1 unless rooms are needed, so the bench also measures servers from before rooms.
    const version = this.o.room === undefined ? 1 : 2;
    this.send(`{"type":"hello","version":${version},"name":"${this.o.name}","client":"papo-bench"}\n`);
    this.state = 'naming';
  }

  /** Writes lines (each `\n`-ended) as they go on this transport: as they are, or one frame each. */
  private send(text: string): boolean {
    return this.socket.write(this.frames ? encodeTextFrames(text) : text);
  }

  /** WebSocket bytes: the upgrade's answer first, then frames turned back into lines. */
  private onWsData(chunk: Buffer): void {
    let data = chunk;
    if (this.upgradeAccept !== null) {
      const head = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
      this.carry = null;
      const rest = readUpgradeResponse(head, this.upgradeAccept);
      if (rest === null) return void (this.carry = Buffer.from(head));
      if (rest instanceof Error) return this.failJoin(rest);
      this.upgradeAccept = null;
      this.hello();
      data = rest;
    }
    let lines: Buffer;
    try {
      lines = this.frames!.push(data);
    } catch (err) {
      this.failJoin(err as Error);
      this.socket.destroy();
      return;
    }
    if (lines.length > 0) this.onSocketData(lines);
  }

  private onWsControl(opcode: number, payload: Buffer): void {
    if (opcode === OP_PING) this.socket.write(pongFrame(payload));
    else if (opcode === OP_CLOSE) {
      const reason = payload.length > 2 ? payload.toString('utf8', 2) : '';
      this.failJoin(new Error(`the server closed the WebSocket${reason ? `: ${reason}` : ''}`));
      this.socket.end(closeFrame());
    }
  }

  get index(): number {
    return this.o.index;
  }

  get name(): string {
    return this.o.name;
  }

  /** Connects and joins; rejects on refusal, close or timeout (and then destroys the socket). */
  static open(o: ClientOptions): Promise<BenchClient> {
    const client = new BenchClient(o);
    return new Promise<BenchClient>((resolve, reject) => {
      const timer = setTimeout(
        () => client.failJoin(new Error(`no welcome within ${o.joinTimeoutMs} ms`)),
        o.joinTimeoutMs,
      );
      client.joinResolve = () => {
        clearTimeout(timer);
        resolve(client);
      };
      client.joinReject = (err) => {
        clearTimeout(timer);
        client.socket.destroy();
        reject(err);
      };
    });
  }

  /** Queues message lines (already joined by `\n`, with a final `\n`) in one write. */
  writeLines(text: string): boolean {
    return this.send(text);
  }

  /** The line that says `text` in this client's protocol (in its room, if it has one), with its `\n`. */
  messageLine(text: string): string {
    if (this.o.proto === 'plain') return `${text}\n`;
    const room = this.o.room === undefined ? '' : `"room":"${this.o.room}",`;
    return `{"type":"say",${room}"text":"${text}"}\n`;
  }

  /** Asks the server to end the session (`sair` or JSON `quit`). */
  quit(): void {
    if (this.state === 'closed') return;
    this.send(this.o.proto === 'json' ? '{"type":"quit"}\n' : 'sair\n');
  }

  destroy(): void {
    this.socket.destroy();
  }

  private failJoin(err: Error): void {
    const reject = this.joinReject;
    this.joinResolve = this.joinReject = null;
    reject?.(err);
  }

  /** Welcomed: enters its room first, if it has one. */
  private welcomed(): void {
    const room = this.o.room;
    if (room === undefined) return this.joined();
    this.state = 'rooming';
    this.send(this.o.proto === 'json' ? `{"type":"join_room","room":"${room}"}\n` : `/join ${room}\n`);
  }

  /** An observer saw this client's join notice: it counts as joined (see `silentJoin`). */
  confirmJoined(): void {
    if (this.state === 'naming') this.joined();
  }

  private joined(): void {
    this.state = 'joined';
    const resolve = this.joinResolve;
    this.joinResolve = this.joinReject = null;
    resolve?.();
  }

  private onSocketData(chunk: Buffer): void {
    if (this.state === 'joined') return this.scan(chunk);
    if (this.state === 'greeting') {
      // The greeting ends with the name prompt, a line without its newline: answer it.
      if (chunk[chunk.length - 1] !== NL) {
        this.state = 'naming';
        this.send(`${this.o.name}\n`);
        if (!this.greetingHadLine && chunk.indexOf(NL) === -1) this.namedSilently();
      } else this.greetingHadLine = true;
      return;
    }
    this.onSetupData(chunk);
  }

  /** A bare prompt (no banner line): the server may never welcome us (see `silentJoin`). */
  private namedSilently(): void {
    this.joinedSilently = this.o.silentJoin !== undefined;
    if (this.o.silentJoin === 'self') this.joined();
    else if (this.o.silentJoin === 'observer') this.o.onAwaitingJoin?.(this);
  }

  /** Before the welcome: lines as text, few and short. */
  private onSetupData(chunk: Buffer): void {
    let data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    let nl: number;
    while ((this.state === 'naming' || this.state === 'rooming') && (nl = data.indexOf(NL)) !== -1) {
      const line = data.toString('utf8', 0, nl);
      data = data.subarray(nl + 1);
      this.onSetupLine(line);
    }
    if (data.length === 0) return;
    if (this.state === 'joined') this.scan(data);
    else this.carry = Buffer.from(data);
  }

  private onSetupLine(line: string): void {
    const inRoom = this.state === 'rooming';
    if (this.o.proto === 'plain') {
      if (line.startsWith('!!')) this.failJoin(new Error(`${this.o.name} refused: ${line}`));
      else if (!line.startsWith('***')) return;
      // The room's own notice names it: `*** You are in #r3 now; …`.
      else if (!inRoom) this.welcomed();
      else if (line.includes(`${this.o.room} `) || line.includes(`${this.o.room};`)) this.joined();
      return;
    }
    if (!line.startsWith('{')) return;
    let type: unknown;
    let message: unknown;
    try {
      const m = JSON.parse(line) as { type?: unknown; message?: unknown };
      type = m.type;
      message = m.message;
    } catch {
      return;
    }
    if (type === 'welcome' && !inRoom) this.welcomed();
    else if (type === 'room' && inRoom) this.joined();
    else if (type === 'error' || type === 'bye') {
      this.failJoin(new Error(`name ${this.o.name} refused: ${String(message ?? type)}`));
    }
  }

  /** After the welcome: finds tokens in whole lines, keeping a partial last line for later. */
  private scan(chunk: Buffer): void {
    this.chunkAtUs = nowUs();
    // A JSON client that stays silent through two heartbeats is dropped: answer the ping.
    if (this.o.proto === 'json' && chunk.indexOf(JSON_PING) !== -1) this.send('{"type":"pong"}\n');
    const last = chunk.lastIndexOf(NL);
    if (last === -1) {
      const carry = this.carry ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk);
      this.carry = carry.length > MAX_CARRY_BYTES ? null : carry;
      return;
    }
    let start = 0;
    if (this.carry) {
      const first = chunk.indexOf(NL);
      const line = Buffer.concat([this.carry, chunk.subarray(0, first + 1)]);
      this.carry = null;
      this.malformed += scanTokens(line, 0, line.length, this.emitToken);
      if (this.onLine) this.eachLine(line, 0, line.length, this.onLine);
      start = first + 1;
    }
    if (start <= last) {
      this.malformed += scanTokens(chunk, start, last + 1, this.emitToken);
      if (this.onLine) this.eachLine(chunk, start, last + 1, this.onLine);
    }
    if (last + 1 < chunk.length) this.carry = Buffer.from(chunk.subarray(last + 1));
  }

  /** Calls `fn` with each `\n`-ended line of `buf[start, end)` as text, without its `\r\n`. */
  private eachLine(buf: Buffer, start: number, end: number, fn: (line: string) => void): void {
    let i = start;
    while (i < end) {
      let nl = buf.indexOf(NL, i);
      if (nl === -1 || nl >= end) nl = end;
      const stop = nl > i && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      fn(buf.toString('utf8', i, stop));
      i = nl + 1;
    }
  }
}
