import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { HistoryRecord } from '../../src/core/events.js';
import {
  decodeJournal,
  encodeNextId,
  encodeRecord,
  encodeRoom,
  type JournalContents,
  type RoomSave,
} from '../../src/store/journal-codec.js';

const MAX_TS = 4_102_444_800_000;

const recordArb: fc.Arbitrary<HistoryRecord> = fc
  .record({
    type: fc.constantFrom('message' as const, 'action' as const),
    id: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    ts: fc.integer({ min: 0, max: MAX_TS }),
    room: fc.string({ unit: 'binary', maxLength: 33 }),
    from: fc.string({ unit: 'binary', maxLength: 40 }),
    text: fc.string({ unit: 'binary', maxLength: 300 }),
  })
  .map((r) => ({ ...r })); // plain objects, as decoding makes them

const roomArb: fc.Arbitrary<RoomSave> = fc
  .record({
    stamp: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    name: fc.string({ unit: 'binary', maxLength: 33 }),
    topic: fc.string({ unit: 'binary', maxLength: 300 }),
    topicBy: fc.string({ unit: 'binary', maxLength: 40 }),
    topicTs: fc.integer({ min: 0, max: MAX_TS }),
  })
  .map((r) => ({ ...r }));

type Item = HistoryRecord | RoomSave | number;

/** A journal as the server writes it: records, saved rooms, sometimes a next-id line, each line ended. */
const journalArb = fc.array(fc.oneof(recordArb, roomArb, fc.nat({ max: Number.MAX_SAFE_INTEGER })), {
  maxLength: 30,
});

const isRecord = (it: Item): it is HistoryRecord => typeof it !== 'number' && 'type' in it;
const isRoom = (it: Item): it is RoomSave => typeof it !== 'number' && 'stamp' in it;

function encode(items: Item[]): string {
  const line = (it: Item) =>
    typeof it === 'number' ? encodeNextId(it) : isRecord(it) ? encodeRecord(it) : encodeRoom(it);
  return items.map((it) => `${line(it)}\n`).join('');
}

const contentsOf = (items: Item[]): JournalContents => ({
  records: items.filter(isRecord),
  rooms: items.filter(isRoom),
  nextId: Math.max(0, ...items.filter((it): it is number => typeof it === 'number')),
});

test('a journal decodes to the records, rooms and next id that were written, texts exactly', () => {
  fc.assert(
    fc.property(journalArb, (items) => {
      assert.deepEqual(decodeJournal(encode(items)), contentsOf(items));
    }),
  );
});

test('a record line written before rooms existed decodes into the room given for it', () => {
  fc.assert(
    fc.property(recordArb, fc.string({ maxLength: 33 }), (r, legacyRoom) => {
      const line = `${JSON.stringify([r.id, r.ts, r.type, r.from, r.text])}\n`;
      assert.deepEqual(decodeJournal(line, legacyRoom).records, [{ ...r, room: legacyRoom }]);
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
      const whole: Item[] = [];
      let end = 0;
      for (const it of items) {
        end += utf8.encode(encode([it])).length;
        if (end <= cut) whole.push(it);
      }
      const decoded = decodeJournal(fromUtf8.decode(bytes.subarray(0, cut)));
      assert.deepEqual(decoded, contentsOf(whole));
    }),
  );
});

test('decoding never throws on arbitrary text and yields only well-formed records and rooms', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (text) => {
      const { records, rooms } = decodeJournal(text);
      for (const r of records) {
        assert.ok(r.type === 'message' || r.type === 'action');
        assert.ok(Number.isSafeInteger(r.id) && Number.isSafeInteger(r.ts));
        for (const s of [r.room, r.from, r.text]) assert.equal(typeof s, 'string');
      }
      for (const r of rooms) {
        assert.ok(Number.isSafeInteger(r.stamp) && Number.isSafeInteger(r.topicTs));
        for (const s of [r.name, r.topic, r.topicBy]) assert.equal(typeof s, 'string');
      }
    }),
  );
});
