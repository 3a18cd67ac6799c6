import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  encodeTextFrames,
  OP_PING,
  pongFrame,
  readUpgradeResponse,
  upgradeRequest,
  WsFrameDecoder,
} from '../../src/bench/ws-frames.js';

/** A server's unmasked text frame. */
function serverFrame(text: string, opcode = 0x1): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const n = payload.length;
  const head =
    n < 126 ? Buffer.from([0x80 | opcode, n]) : Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff]);
  return Buffer.concat([head, payload]);
}

const lineArb = fc.string({ maxLength: 400 }).filter((s) => !s.includes('\n'));

test('the decoder gives the same lines however the frames are split', () => {
  fc.assert(
    fc.property(fc.array(lineArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), (lines, cuts) => {
      const wire = Buffer.concat(lines.map((l) => serverFrame(l)));
      const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
      const decoder = new WsFrameDecoder(() => assert.fail('no control frame was sent'));
      let out = '';
      let at = 0;
      for (const p of [...points, wire.length]) {
        out += decoder.push(wire.subarray(at, p)).toString('utf8');
        at = p;
      }
      assert.equal(out, lines.map((l) => `${l}\n`).join(''));
    }),
  );
});

test('a ping between messages goes to onControl and is answered with a masked pong', () => {
  const pings: Buffer[] = [];
  const decoder = new WsFrameDecoder((op, payload) => op === OP_PING && pings.push(payload));
  const out = decoder.push(Buffer.concat([serverFrame('a'), serverFrame('hi', OP_PING), serverFrame('b')]));
  assert.equal(out.toString(), 'a\nb\n');
  assert.deepEqual(pings, [Buffer.from('hi')]);
  assert.deepEqual([...pongFrame(Buffer.from('hi'))], [0x8a, 0x82, 0, 0, 0, 0, 0x68, 0x69]);
});

test('a binary frame is refused', () => {
  const decoder = new WsFrameDecoder(() => {});
  assert.throws(() => decoder.push(serverFrame('x', 0x2)), /binary/);
});

test('lines become one masked text frame each, with 7- and 16-bit lengths', () => {
  const long = 'y'.repeat(300);
  const wire = encodeTextFrames(`ab\n\n${long}\n`);
  assert.deepEqual([...wire.subarray(0, 8)], [0x81, 0x82, 0, 0, 0, 0, 0x61, 0x62]);
  assert.deepEqual([...wire.subarray(8, 16)], [0x81, 0xfe, 1, 44, 0, 0, 0, 0]);
  assert.equal(wire.length, 16 + 300);
});

test('the upgrade answer must be a 101 with the accept value of the key sent', () => {
  const { request, accept } = upgradeRequest('127.0.0.1:8080', '/ws');
  assert.match(request, /^GET \/ws HTTP\/1\.1\r\n/);
  assert.ok(accept.length === 28);
  const ok = Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: ${accept}\r\n\r\nrest`);
  assert.equal(String(readUpgradeResponse(ok, accept)), 'rest');
  assert.equal(readUpgradeResponse(ok.subarray(0, 20), accept), null);
  assert.match(String(readUpgradeResponse(Buffer.from('HTTP/1.1 403 Forbidden\r\n\r\n'), accept)), /403/);
  const wrong = Buffer.from('HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: x\r\n\r\n');
  assert.match(String(readUpgradeResponse(wrong, accept)), /Accept/);
});
