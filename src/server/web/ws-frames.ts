const LF = 0x0a;
const CR = 0x0d;
/** FIN plus the text opcode (RFC 6455, 5.2). */
const FIN_TEXT = 0x81;

/** Header bytes of an unmasked server frame carrying `length` bytes. */
function headerBytes(length: number): number {
  return length < 126 ? 2 : length < 0x10000 ? 4 : 10;
}

/** Line bounds in `buf`: each `\n`-ended line without its `\n` (and `\r`); empty ones skipped. */
function forEachLine(buf: Buffer, fn: (start: number, end: number) => void): void {
  let start = 0;
  while (start < buf.length) {
    let nl = buf.indexOf(LF, start);
    if (nl === -1) nl = buf.length;
    const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
    if (end > start) fn(start, end);
    start = nl + 1;
  }
}

/**
 * Each line of `buf` as one unmasked text frame, all in one buffer: a turn's output for a
 * WebSocket is then one socket write, as for TCP, instead of one write (and one `writev`
 * system call) per message, which made a WebSocket user cost several times a TCP one.
 * The lines are UTF-8 already (the encoder's output); empty ones are not sent.
 */
export function textFrames(buf: Buffer): Buffer {
  let total = 0;
  forEachLine(buf, (start, end) => {
    total += headerBytes(end - start) + end - start;
  });
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  forEachLine(buf, (start, end) => {
    const length = end - start;
    out[at] = FIN_TEXT;
    if (length < 126) {
      out[at + 1] = length;
      at += 2;
    } else if (length < 0x10000) {
      out[at + 1] = 126;
      out.writeUInt16BE(length, at + 2);
      at += 4;
    } else {
      out[at + 1] = 127;
      out.writeBigUInt64BE(BigInt(length), at + 2);
      at += 10;
    }
    at += buf.copy(out, at, start, end);
  });
  return out;
}
