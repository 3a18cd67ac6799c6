import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteHistory } from '../../src/store/index.js';
import { WalSync } from '../../src/store/wal-sync.js';
import { tempDir } from '../helpers/temp.js';

test('a WAL sync with no WAL file yet does nothing and closes cleanly', (t) => {
  const sync = new WalSync(join(tempDir(t, 'papo-wal-'), 'missing.db-wal'));
  sync.sync();
  sync.close();
  sync.sync();
});

test('keeps every message when the store closes while the WAL is being synced', async (t) => {
  const file = join(tempDir(t, 'papo-wal-'), 'papo.db');
  const store = SqliteHistory.open(file);
  let next = 1;
  store.nextIdSource = () => next;
  store.startMaintenance(5);
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 50; i++) {
      store.record({ type: 'message', id: next, ts: next, from: 'ana', text: `m${next}` });
      next++;
    }
    store.flush();
    await sleep(2);
  }
  store.close(); // a sync may still be running: its descriptor closes when it is done
  const again = SqliteHistory.open(file);
  t.after(() => again.close());
  assert.equal(again.size, 1000);
  assert.equal(again.nextEventId(), 1001);
  const found = again.search('m1000', 5);
  assert.ok(found.ok);
  assert.deepEqual(
    found.records.map((r) => r.id),
    [1000],
  );
});
