import { createHash, randomBytes } from 'node:crypto';

/**
 * The least WebSocket client `papo bench` needs (RFC 6455), so a bench client costs about what
 * a TCP one does and the figures measure the server, not `ws`'s client: an upgrade request,
 * masked text frames out, unmasked frames in turned back into `\n`-ended lines.
 */

const NL = Buffer.from('\n');
const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
/** Opcode of a close frame; `onControl` receives it. */
export const OP_CLOSE = 0x8;
/** Opcode of a ping frame; answer it with `pongFrame`. */
export const OP_PING = 0x9;
const OP_PONG = 0xa;
const FIN = 0x80;
const MASKED = 0x80;
/** RFC 6455, 1.3: the GUID the server hashes with the client's key. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A frame longer than this is taken for a broken stream (papo's messages are ≤ 16 KiB). */
const MAX_FRAME_BYTES = 1 << 20;
/** A response head longer than this is not a WebSocket server's. */
const MAX_HEAD_BYTES = 16 * 1024;

/** The upgrade request for `path` on `host`, and the `Sec-WebSocket-Accept` it must get back. */
export function upgradeRequest(host: string, path: string): { request: string; accept: string } {
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
  const request =
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  return { request, accept };
}

/**
 * Reads the server's answer to the upgrade: `null` while its head is incomplete, else the bytes
 * after the head (the first frames), or an Error when it is not a `101` with the right accept.
 */
export function readUpgradeResponse(head: Buffer, accept: string): Buffer | Error | null {
  const end = head.indexOf('\r\n\r\n');
  if (end === -1) return head.length > MAX_HEAD_BYTES ? new Error('over-long HTTP answer') : null;
  const text = head.toString('latin1', 0, end);
  const status = text.split('\r\n', 1)[0] ?? '';
  if (!/^HTTP\/1\.1 101 /.test(status)) return new Error(`the upgrade was refused: ${status}`);
  const got = /\r\nsec-websocket-accept:\s*(\S+)/i.exec(text)?.[1];
  if (got !== accept) return new Error('the server answered with a wrong Sec-WebSocket-Accept');
  return head.subarray(end + 4);
}

function header(opcode: number, length: number): Buffer {
  // A zero masking key: allowed (RFC 6455, 5.3 asks for unpredictable keys to protect proxies
  // from browser scripts, which a load generator is not) and leaves the payload as it is.
  if (length < 126) return Buffer.from([FIN | opcode, MASKED | length, 0, 0, 0, 0]);
  if (length < 0x10000) {
    const h = Buffer.from([FIN | opcode, MASKED | 126, 0, 0, 0, 0, 0, 0]);
    h.writeUInt16BE(length, 2);
    return h;
  }
  const h = Buffer.alloc(14);
  h[0] = FIN | opcode;
  h[1] = MASKED | 127;
  h.writeBigUInt64BE(BigInt(length), 2);
  return h;
}

/** Each `\n`-ended line of `text` as one masked text frame (empty lines are skipped). */
export function encodeTextFrames(text: string): Buffer {
  const data = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  while (start < data.length) {
    let nl = data.indexOf(0x0a, start);
    if (nl === -1) nl = data.length;
    if (nl > start) parts.push(header(OP_TEXT, nl - start), data.subarray(start, nl));
    start = nl + 1;
  }
  return Buffer.concat(parts);
}

/** The masked pong answering a ping with `payload`. */
export function pongFrame(payload: Buffer): Buffer {
  return Buffer.concat([header(OP_PONG, payload.length), payload]);
}

/** A masked close frame with status 1000. */
export function closeFrame(): Buffer {
  return Buffer.concat([header(OP_CLOSE, 2), Buffer.from([0x03, 0xe8])]);
}

/**
 * Turns the server's frames back into lines: each text message's payload followed by `\n`,
 * whatever the chunking; control frames go to `onControl`. Throws on a frame a papo server
 * never sends (binary, or over 1 MiB).
 */
export class WsFrameDecoder {
  private pending: Buffer | null = null;

  constructor(private readonly onControl: (opcode: number, payload: Buffer) => void) {}

  /** The lines in the whole frames received so far (an empty buffer if none). */
  push(chunk: Buffer): Buffer {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    const out: Buffer[] = [];
    let i = 0;
    while (buf.length - i >= 2) {
      const b0 = buf[i]!;
      const b1 = buf[i + 1]!;
      let length = b1 & 0x7f;
      let at = i + 2;
      if (length === 126) {
        if (buf.length - i < 4) break;
        length = buf.readUInt16BE(i + 2);
        at = i + 4;
      } else if (length === 127) {
        if (buf.length - i < 10) break;
        const big = buf.readBigUInt64BE(i + 2);
        if (big > BigInt(MAX_FRAME_BYTES)) throw new Error('a WebSocket frame over 1 MiB');
        length = Number(big);
        at = i + 10;
      }
      if (length > MAX_FRAME_BYTES) throw new Error('a WebSocket frame over 1 MiB');
      const maskAt = at;
      if (b1 & MASKED) at += 4;
      if (buf.length < at + length) break;
      let payload = buf.subarray(at, at + length);
      if (b1 & MASKED) {
        payload = Buffer.from(payload);
        for (let k = 0; k < payload.length; k++) payload[k]! ^= buf[maskAt + (k & 3)]!;
      }
      const opcode = b0 & 0x0f;
      if (opcode === OP_TEXT || opcode === OP_CONTINUATION) {
        out.push(payload);
        if (b0 & FIN) out.push(NL);
      } else if (opcode === OP_BINARY) {
        throw new Error('a binary WebSocket frame');
      } else {
        this.onControl(opcode, payload);
      }
      i = at + length;
    }
    if (i < buf.length) this.pending = Buffer.from(buf.subarray(i));
    if (out.length === 0) return Buffer.alloc(0);
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }
}
