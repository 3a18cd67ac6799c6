/**
 * The token `papo bench` puts in every message: `PB:<sender>:<seq>:<due µs>`, found anywhere in
 * a received line, whatever the protocol wraps around it (plain `name: text` or a JSON string:
 * the token has no character JSON escapes). The due time is when the message was scheduled,
 * not when it was written, so a slow server cannot hide its delay by slowing the sender down.
 */

export const TOKEN_PREFIX = 'PB:';
const MARK = Buffer.from(TOKEN_PREFIX, 'latin1');
const COLON = 0x3a;
const ZERO = 0x30;
const NINE = 0x39;

/** One parsed token. */
export interface Token {
  sender: number;
  seq: number;
  dueUs: number;
}

/** The text of a message: the token, padded with `x` to at least `size` bytes. */
export function makeToken(sender: number, seq: number, dueUs: number, size = 0): string {
  const token = `${TOKEN_PREFIX}${sender}:${seq}:${Math.round(dueUs)}`;
  return token.length >= size ? token : token + ' ' + 'x'.repeat(Math.max(0, size - token.length - 1));
}

/** Reads a decimal number at `i`; returns [value, index after it], or null if none is there. */
function readNumber(buf: Uint8Array, i: number, end: number): [number, number] | null {
  let v = 0;
  const start = i;
  while (i < end) {
    const c = buf[i]!;
    if (c < ZERO || c > NINE) break;
    v = v * 10 + (c - ZERO);
    i++;
  }
  return i === start || i - start > 16 ? null : [v, i];
}

/**
 * Calls `onToken` for every well-formed token in `buf[start, end)` and returns how many
 * malformed ones (the prefix without three numbers) it saw.
 */
export function scanTokens(
  buf: Buffer,
  start: number,
  end: number,
  onToken: (sender: number, seq: number, dueUs: number) => void,
): number {
  let malformed = 0;
  let i = buf.indexOf(MARK, start);
  while (i !== -1 && i < end) {
    const a = readNumber(buf, i + MARK.length, end);
    const b = a && buf[a[1]] === COLON ? readNumber(buf, a[1] + 1, end) : null;
    const c = b && buf[b[1]] === COLON ? readNumber(buf, b[1] + 1, end) : null;
    if (a && b && c) onToken(a[0], b[0], c[0]);
    else malformed++;
    i = buf.indexOf(MARK, i + MARK.length);
  }
  return malformed;
}

/** Parses the first token in a string (tests and one-off lines). */
export function parseToken(text: string): Token | null {
  let found: Token | null = null;
  scanTokens(Buffer.from(text, 'utf8'), 0, Buffer.byteLength(text), (sender, seq, dueUs) => {
    found ??= { sender, seq, dueUs };
  });
  return found;
}
