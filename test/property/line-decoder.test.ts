import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { splitAt } from '../helpers/split.js';
import { LineDecoder, type DecodedLine } from '../../src/protocol/line-decoder.js';

function decodeAll(decoder: LineDecoder, parts: Buffer[]): DecodedLine[] {
  return parts.flatMap((p) => decoder.push(p));
}

const lineArb = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/[\n\r]/g, ''));

test('gives the same lines however the bytes are split', () => {
  fc.assert(
    fc.property(fc.array(lineArb), fc.array(fc.nat()), fc.boolean(), (lines, cuts, crlf) => {
      const bytes = Buffer.from(lines.map((l) => l + (crlf ? '\r\n' : '\n')).join(''), 'utf8');
      const out = decodeAll(new LineDecoder(1 << 16), splitAt(bytes, cuts));
      assert.deepEqual(
        out.map((l) => (l.kind === 'line' ? l.text : null)),
        lines,
      );
    }),
  );
});

test('reassembles a multi-byte character split across chunks, one byte at a time', () => {
  const text = 'João 😄 日本語 ação';
  const bytes = Buffer.from(text + '\n');
  const out = decodeAll(
    new LineDecoder(1024),
    [...bytes].map((b) => Buffer.from([b])),
  );
  assert.deepEqual(out, [{ kind: 'line', text, bytes: bytes.length - 1 }]);
});

test('never throws on arbitrary bytes and turns invalid UTF-8 into U+FFFD', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 64 })),
      fc.integer({ min: 1, max: 100 }),
      (chunks, max) => {
        const d = new LineDecoder(max);
        for (const c of chunks) {
          for (const l of d.push(Buffer.from(c))) {
            if (l.kind === 'line') {
              assert.ok(l.bytes <= max);
              assert.ok(!l.text.includes('\n'));
              assert.ok(l.text.isWellFormed());
            } else assert.ok(l.bytes > max);
          }
          assert.ok(d.pendingBytes <= max + 1, 'memory stays bounded by the limit');
        }
      },
    ),
  );
  const [l] = new LineDecoder(10).push(Buffer.from([0x61, 0xff, 0xc3, 0x0a]));
  assert.deepEqual(l, { kind: 'line', text: 'a\uFFFD\uFFFD', bytes: 3 });
});

test('reports an over-long line with its exact size without keeping it, then goes on', () => {
  fc.assert(
    fc.property(fc.integer({ min: 11, max: 5000 }), fc.array(fc.nat()), (size, cuts) => {
      const bytes = Buffer.from('x'.repeat(size) + '\nok\n');
      const d = new LineDecoder(10);
      const out = decodeAll(d, splitAt(bytes, cuts));
      assert.deepEqual(out, [
        { kind: 'too_long', bytes: size },
        { kind: 'line', text: 'ok', bytes: 2 },
      ]);
    }),
  );
});

test('10 MB without a newline keeps memory bounded', () => {
  const d = new LineDecoder(1024);
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  for (let i = 0; i < 160; i++) {
    assert.deepEqual(d.push(chunk), []);
    assert.ok(d.pendingBytes <= 1025);
  }
  assert.deepEqual(d.push(Buffer.from('\n')), [{ kind: 'too_long', bytes: 160 * 64 * 1024 }]);
});
