import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { HistoryRecord } from '../../src/core/events.js';
import { decodeJournal, encodeNextId, encodeRecord } from '../../src/store/journal-codec.js';

const recordArb: fc.Arbitrary<HistoryRecord> = fc
  .record({
    type: fc.constantFrom('message' as const, 'action' as const),
    id: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    ts: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    from: fc.string({ unit: 'binary', maxLength: 40 }),
    text: fc.string({ unit: 'binary', maxLength: 300 }),
  })
  .map((r) => ({ ...r })); // plain objects, as decoding makes them

/** A journal as the server writes it: records, sometimes a next-id line, each line ended. */
const journalArb = fc.array(fc.oneof(recordArb, fc.nat({ max: Number.MAX_SAFE_INTEGER })), { maxLength: 30 });

function encode(items: Array<HistoryRecord | number>): string {
  return items.map((it) => `${typeof it === 'number' ? encodeNextId(it) : encodeRecord(it)}\n`).join('');
}

const recordsOf = (items: Array<HistoryRecord | number>) =>
  items.filter((it): it is HistoryRecord => typeof it !== 'number');
const nextIdOf = (items: Array<HistoryRecord | number>) =>
  Math.max(0, ...items.filter((it): it is number => typeof it === 'number'));

test('a journal decodes to the records and next id that were written, texts exactly', () => {
  fc.assert(
    fc.property(journalArb, (items) => {
      assert.deepEqual(decodeJournal(encode(items)), { records: recordsOf(items), nextId: nextIdOf(items) });
    }),
  );
});

test('a journal cut anywhere (kill -9 mid-write) gives exactly the lines written whole', () => {
  const utf8 = new TextEncoder();
  const fromUtf8 = new TextDecoder();
  fc.assert(
    fc.property(journalArb, fc.nat(), (items, at) => {
      const bytes = utf8.encode(encode(items));
      const cut = bytes.length === 0 ? 0 : at % (bytes.length + 1);
      // The lines whose `\n` is before the cut are whole.
      const whole: Array<HistoryRecord | number> = [];
      let end = 0;
      for (const it of items) {
        end += utf8.encode(encode([it])).length;
        if (end <= cut) whole.push(it);
      }
      const decoded = decodeJournal(fromUtf8.decode(bytes.subarray(0, cut)));
      assert.deepEqual(decoded, { records: recordsOf(whole), nextId: nextIdOf(whole) });
    }),
  );
});

test('decoding never throws on arbitrary text and yields only well-formed records', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (text) => {
      for (const r of decodeJournal(text).records) {
        assert.ok(r.type === 'message' || r.type === 'action');
        assert.ok(Number.isSafeInteger(r.id) && Number.isSafeInteger(r.ts));
        assert.equal(typeof r.from, 'string');
        assert.equal(typeof r.text, 'string');
      }
    }),
  );
});
