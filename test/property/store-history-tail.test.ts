import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { HistoryRecord } from '../../src/core/events.js';
import type { HistoryResult, RecentResult } from '../../src/core/history.js';
import { roomKey } from '../../src/core/names.js';
import { SqliteHistory } from '../../src/store/index.js';
import { page } from '../helpers/history-store.js';
import { tempDir } from '../helpers/temp.js';

const ROOMS = ['#geral', '#Sala', '#Três'];

type Read = [room: number, at: number, limit: number, since: boolean];

/** Every stored message, read from the file once no store holds it, by room key. */
function stored(file: string): Map<string, HistoryRecord[]> {
  const db = new Database(file, { readonly: true });
  type Row = {
    id: number;
    ts: number;
    kind: 'message' | 'action';
    sender: string;
    text: string;
    room: string;
  };
  const rows = db.prepare('SELECT id, ts, kind, sender, text, room FROM messages ORDER BY id').all() as Row[];
  db.close();
  const byRoom = new Map<string, HistoryRecord[]>();
  for (const r of rows) {
    const room = ROOMS.find((name) => roomKey(name) === r.room) as string;
    const list = byRoom.get(r.room) ?? [];
    list.push({ type: r.kind, id: r.id, ts: r.ts, room, from: r.sender, text: r.text });
    byRoom.set(r.room, list);
  }
  return byRoom;
}

/**
 * Checks the answers to `reads` against the database's contents. A page is exact. A replay
 * (`recent`) gives the newest `limit` messages above `since`, or, when memory holds fewer, at
 * least the newest `perRoom` of them, and `more` says exactly whether it left older ones out.
 */
function check(
  answers: Array<RecentResult | HistoryResult>,
  byRoom: Map<string, HistoryRecord[]>,
  reads: Read[],
  perRoom: number,
): void {
  reads.forEach(([r, at, limit, since], i) => {
    const all = byRoom.get(roomKey(ROOMS[r] as string)) ?? [];
    const above = since ? all.filter((m) => m.id > at) : all;
    const recent = answers[2 * i] as RecentResult;
    assert.ok(recent.ok);
    const k = recent.records.length;
    assert.ok(
      k >= Math.min(limit, perRoom, above.length) && k <= limit,
      `${k} of ${above.length}, limit ${limit}`,
    );
    assert.deepEqual(recent, { ok: true, records: above.slice(above.length - k), more: above.length > k });
    const before = { ok: true, records: all.filter((m) => m.id < at).slice(-limit) };
    assert.deepEqual(answers[2 * i + 1], before);
  });
}

// The store answers replays, and pages when it can, from each room's newest messages kept in
// memory. Those answers must agree with the database: with what it holds once the store is
// closed, before and after a store opened again on it loads its tails from it.
test('reads answered from memory are the database’s own answers, room by room', async (t) => {
  const dir = tempDir(t, 'papo-tail-');
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(fc.integer({ min: 0, max: ROOMS.length - 1 }), { maxLength: 60 }), { maxLength: 8 }),
      fc.constantFrom(0, 3, 40, 300),
      fc.constantFrom(1, 4, 64),
      fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: ROOMS.length - 1 }),
          fc.integer({ min: 0, max: 500 }),
          fc.integer({ min: 1, max: 80 }),
          fc.boolean(),
        ),
        { minLength: 1, maxLength: 6 },
      ),
      async (turns, maxMessages, tailPerRoom, reads) => {
        const file = join(dir, `run-${run++}.db`);
        const options = { maxMessages, tailPerRoom };
        const first = SqliteHistory.open(file, options);
        for (const name of ROOMS) first.saveRoom({ name, topic: '', topicBy: '', topicTs: 0 });
        let id = 1;
        for (const turn of turns) {
          for (const r of turn) {
            const type = id % 5 === 0 ? 'action' : 'message';
            const room = ROOMS[r] as string;
            first.record({ type, id, ts: 1_764_000_000_000 + id, room, from: `u${id % 3}`, text: `m${id}` });
            id++;
          }
          first.flush();
        }
        while (first.prune()) {
          // retention, one step at a time, until nothing more is due
        }
        const ask = async (s: SqliteHistory) => {
          const out: Array<RecentResult | HistoryResult> = [];
          for (const [r, at, limit, since] of reads) {
            const room = ROOMS[r] as string;
            out.push(since ? s.recent(room, limit, at) : s.recent(room, limit));
            out.push(await page(s, room, at, limit));
          }
          return out;
        };
        const fromMemory = await ask(first);
        first.close();
        const byRoom = stored(file);
        check(fromMemory, byRoom, reads, tailPerRoom);
        const again = SqliteHistory.open(file, options);
        try {
          check(await ask(again), byRoom, reads, tailPerRoom);
        } finally {
          again.close();
        }
      },
    ),
    { numRuns: 40 },
  );
});
