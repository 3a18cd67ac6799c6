import { LineDecoder } from '../protocol/line-decoder.js';
import type { ServerMessage } from '../protocol/json-messages.js';
import { PlainLineSplitter } from './plain-lines.js';
import { parseServerMessage } from './server-message.js';
import { parseFileMessage, type FileServerMessage } from './files/messages.js';

/** Every papo server's first line starts with this (PROTOCOL.md, "Connecting"). */
export const PAPO_GREETING = '*** papo ';

/** A connect-time refusal (`SERVER_FULL`, …) is one plain line starting with this, then a close. */
const REFUSAL = '!! ';

export type Protocol = 'json' | 'plain';

/** What a server's bytes turned out to mean, in order. */
export type ReaderOutput =
  /** The protocol is known; later outputs are of that protocol. */
  | { kind: 'decided'; protocol: Protocol; why: 'flag' | 'greeting' }
  /** A papo JSON message (lines that do not parse as one are skipped). */
  | { kind: 'message'; message: ServerMessage; line: string }
  /** A file-transfer message: a `file` event or an `upload_slot` (issue #14). */
  | { kind: 'file'; message: FileServerMessage; line: string }
  /** A line of a plain-text server. */
  | { kind: 'plain'; line: string }
  /** A papo server's plain greeting or prompt, before its JSON lines. */
  | { kind: 'preamble'; line: string }
  /** The server's first bytes are a TLS record (an alert or a handshake): a TLS port. */
  | { kind: 'tls' };

const MAX_SERVER_LINE_BYTES = 1 << 20;

/**
 * Whether bytes start like a TLS record: content type alert (0x15) or handshake (0x16), then
 * major version 3 (RFC 8446, 5.1). No text greeting starts with these control characters.
 */
export function looksLikeTls(head: Uint8Array): boolean {
  return (head[0] === 0x15 || head[0] === 0x16) && head[1] === 0x03;
}

/**
 * Turns the bytes one connection receives into typed outputs, however they are split. It tells
 * papo from other line-based chats by the first bytes: `*** papo ` means JSON lines after the
 * greeting; anything else means plain text. A `!! ` refusal is held back until the close (or
 * `decide()`), so it is not mistaken for another server's greeting. No socket inside.
 */
export class ServerReader {
  protocol: Protocol | null = null;
  private held = Buffer.alloc(0);
  private readonly decoder = new LineDecoder(MAX_SERVER_LINE_BYTES);
  private readonly splitter = new PlainLineSplitter();
  private sawJson = false;
  /** The first two bytes, until they are known not to start a TLS record. */
  private head: Buffer | null = Buffer.alloc(0);
  /** The server speaks TLS: nothing it sends is read as chat. */
  private tls = false;

  /** Whether the server's first bytes were a TLS record. */
  get speaksTls(): boolean {
    return this.tls;
  }

  /** Feeds a chunk of what the server sent. */
  push(chunk: Buffer): ReaderOutput[] {
    if (this.tls) return [];
    if (this.head !== null) {
      // A TLS server answers a plain line with an alert: tell it apart before reading text.
      const head = Buffer.concat([this.head, chunk]);
      if (head.length < 2) {
        this.head = head;
        return [];
      }
      this.head = null;
      if (looksLikeTls(head)) {
        this.tls = true;
        return [{ kind: 'tls' }];
      }
      chunk = head;
    }
    return this.read(chunk);
  }

  private read(chunk: Buffer): ReaderOutput[] {
    if (this.protocol !== null) return this.feed(chunk);
    this.held = Buffer.concat([this.held, chunk]);
    const text = this.held.toString('utf8');
    if (text.startsWith(PAPO_GREETING)) return this.decide('json', 'greeting');
    if (PAPO_GREETING.startsWith(text) || text.startsWith(REFUSAL)) return [];
    return this.decide('plain', 'greeting');
  }

  /** Settles the protocol without (more of) a greeting: `--plain`, or a silent server. */
  decide(protocol: Protocol, why: 'flag' | 'greeting'): ReaderOutput[] {
    if (this.protocol !== null) return [];
    this.protocol = protocol;
    const held = this.held;
    this.held = Buffer.alloc(0);
    return [{ kind: 'decided', protocol, why }, ...this.feed(held)];
  }

  /** The connection closed: whatever was left as a partial line or an undecided greeting. */
  end(): ReaderOutput[] {
    const head = this.head;
    this.head = null;
    const out = head !== null && head.length > 0 ? this.read(head) : [];
    return [...out, ...this.ended()];
  }

  private ended(): ReaderOutput[] {
    if (this.tls) return [];
    if (this.protocol === null) {
      const text = this.held.toString('utf8').replace(/\r?\n$/, '');
      this.held = Buffer.alloc(0);
      return text === '' ? [] : text.split(/\r?\n/).map((line) => ({ kind: 'preamble', line }));
    }
    if (this.protocol === 'plain') return this.splitter.end().map((line) => ({ kind: 'plain', line }));
    return [];
  }

  private feed(chunk: Buffer): ReaderOutput[] {
    if (chunk.length === 0) return [];
    if (this.protocol === 'plain') return this.splitter.push(chunk).map((line) => ({ kind: 'plain', line }));
    const out: ReaderOutput[] = [];
    for (const line of this.decoder.push(chunk)) {
      if (line.kind !== 'line') continue;
      // Lines before the first JSON one are the plain greeting and prompt (PROTOCOL.md).
      if (!this.sawJson && !line.text.startsWith('{')) {
        out.push({ kind: 'preamble', line: line.text });
        continue;
      }
      this.sawJson = true;
      const message = parseServerMessage(line.text);
      if (message) out.push({ kind: 'message', message, line: line.text });
      else {
        const file = parseFileMessage(line.text);
        if (file) out.push({ kind: 'file', message: file, line: line.text });
      }
    }
    return out;
  }
}
