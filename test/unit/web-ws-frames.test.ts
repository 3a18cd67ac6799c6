import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WsFrameDecoder } from '../../src/bench/ws-frames.js';
import { textFrames } from '../../src/server/web/ws-frames.js';

/** What a client reads from the frames (papo bench's decoder; `ws` reads them in web-chat tests). */
function parse(frames: Buffer): string[] {
  const decoder = new WsFrameDecoder(() => assert.fail('no control frame was sent'));
  const text = decoder.push(frames).toString('utf8');
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

test('each line becomes one text frame, at every length boundary', () => {
  const lines = [0, 1, 125, 126, 127, 65535, 65536, 70000].map((n) => 'é'.repeat(n >> 1) + 'x'.repeat(n & 1));
  const input = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
  assert.deepEqual(
    parse(textFrames(input)),
    lines.filter((l) => l !== ''),
  );
});

test('a CRLF ending and empty lines are dropped, a last line without newline is sent', () => {
  assert.deepEqual(parse(textFrames(Buffer.from('a\r\n\n\nb'))), ['a', 'b']);
  assert.equal(textFrames(Buffer.from('\n\n')).length, 0);
});

test('any lines come back as sent', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ minLength: 1, maxLength: 300 }).filter((s) => !/[\r\n]/.test(s))),
      (lines) => {
        const input = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
        assert.deepEqual(parse(textFrames(input)), lines);
      },
    ),
  );
});
