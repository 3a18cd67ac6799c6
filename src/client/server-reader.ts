import { LineDecoder } from '../protocol/line-decoder.js';
import type { ServerMessage } from '../protocol/json-messages.js';
import { PlainLineSplitter } from './plain-lines.js';
import { parseServerMessage } from './server-message.js';

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
  /** A line of a plain-text server. */
  | { kind: 'plain'; line: string }
  /** A papo server's plain greeting or prompt, before its JSON lines. */
  | { kind: 'preamble'; line: string };

const MAX_SERVER_LINE_BYTES = 1 << 20;

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

  /** Feeds a chunk of what the server sent. */
  push(chunk: Buffer): ReaderOutput[] {
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
    }
    return out;
  }
}
