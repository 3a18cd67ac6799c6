import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import type { HistoryResult } from '../../src/core/history.js';
import { SqliteHistory } from '../../src/store/index.js';
import { tempDir } from '../helpers/temp.js';

/** What a read gave, comparable across stores. */
function shown(result: HistoryResult): string {
  return result.ok ? JSON.stringify(result.records) : `unavailable: ${result.reason}`;
}

// The store answers replays and first pages from the newest messages it keeps in memory. Those
// answers must be what the database itself gives: a store opened again on the same file loads
// its tail from the database, and reads past the tail go to the database.
test('reads answered from memory are the database’s own answers', async (t) => {
  const dir = tempDir(t, 'papo-tail-');
  let run = 0;
  await fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 0, maxLength: 8 }),
      fc.constantFrom(0, 3, 40, 300),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 1, max: 300 })), {
        minLength: 1,
        maxLength: 6,
      }),
      (turns, maxMessages, reads) => {
        const file = join(dir, `run-${run++}.db`);
        const first = SqliteHistory.open(file, { maxMessages });
        let id = 1;
        for (const count of turns) {
          for (let i = 0; i < count; i++, id++) {
            const kind = id % 5 === 0 ? 'action' : 'message';
            first.record({ type: kind, id, ts: 1_764_000_000_000 + id, from: `u${id % 3}`, text: `m${id}` });
          }
          first.flush();
        }
        while (first.prune()) {
          // retention, one step at a time, until nothing more is due
        }
        const ask = (s: SqliteHistory) =>
          reads.flatMap(([below, limit]) => [shown(s.recent(limit)), shown(s.before(below, limit))]);
        const fromMemory = ask(first);
        first.close();
        const again = SqliteHistory.open(file, { maxMessages });
        try {
          assert.deepEqual(ask(again), fromMemory);
        } finally {
          again.close();
        }
      },
    ),
    { numRuns: 40 },
  );
});
