/** What the decoder makes of the bytes it is fed. */
export type DecodedLine =
  | { kind: 'line'; text: string; bytes: number }
  /** A line longer than the limit: its bytes were counted and dropped, never buffered. */
  | { kind: 'too_long'; bytes: number };

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/**
 * Splits a byte stream into UTF-8 lines (`\n` or `\r\n`), however the bytes are cut into
 * chunks. A character split across chunks arrives whole; invalid UTF-8 becomes U+FFFD. Memory
 * is bounded by `maxLineBytes`: a longer line is counted, not kept, and reported as `too_long`.
 */
export class LineDecoder {
  /**
   * The unfinished line's bytes: a view of the chunk being decoded, or a copy once that call
   * returns (no list: an idle connection holds nothing).
   */
  private held: Buffer | null = null;
  /** Bytes of the current line seen so far while it is being discarded as too long. */
  private overflow = -1;

  constructor(private maxLineBytes: number) {}

  /** Changes the line limit (it applies from the next line on). */
  setLimit(maxLineBytes: number): void {
    this.maxLineBytes = maxLineBytes;
  }

  /** Feeds a chunk; returns the complete lines it finished, in order. */
  push(chunk: Buffer): DecodedLine[] {
    const out: DecodedLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        this.keep(chunk, start, chunk.length);
        // Copy what is kept past this call, so a short tail never pins a whole read buffer.
        if (this.held !== null && this.held.buffer === chunk.buffer) this.held = Buffer.from(this.held);
        break;
      }
      this.keep(chunk, start, nl);
      out.push(this.finishLine());
      start = nl + 1;
    }
    return out;
  }

  /** Bytes held for an unfinished line. */
  get pendingBytes(): number {
    return this.held?.length ?? 0;
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    if (this.overflow >= 0) {
      this.overflow += n;
      return;
    }
    const held = this.pendingBytes;
    // One extra byte of allowance for the CR of a CRLF ending.
    if (held + n > this.maxLineBytes + 1) {
      this.overflow = held + n;
      this.held = null;
      return;
    }
    const part = chunk.subarray(from, to);
    this.held = this.held === null ? part : Buffer.concat([this.held, part], held + n);
  }

  private finishLine(): DecodedLine {
    if (this.overflow >= 0) {
      const bytes = this.overflow;
      this.overflow = -1;
      return { kind: 'too_long', bytes };
    }
    const line = this.held ?? EMPTY;
    this.held = null;
    const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
    if (end > this.maxLineBytes) return { kind: 'too_long', bytes: end };
    return { kind: 'line', text: line.toString('utf8', 0, end), bytes: end };
  }
}
