import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { HistoryResult } from '../../src/core/history.js';
import { SqliteHistory, type StoreFailure } from '../../src/store/index.js';
import { encodeNextId, encodeRecord } from '../../src/store/journal-codec.js';
import { GERAL, NEWEST, ids, msg, openStore, page, search, until } from '../helpers/history-store.js';
import { tempDir } from '../helpers/temp.js';

const journals = (file: string) => [`${file}.journal-0`, `${file}.journal-1`];
const sizeOf = (path: string) => statSync(path).size;

/** Journal lines as a server killed before its worker stored them leaves them. */
function lines(...items: string[]): string {
  return items.map((l) => `${l}\n`).join('');
}

test('stores at open what the journal holds beyond the database, then empties the journal', async (t) => {
  const file = join(tempDir(t, 'papo-journal-'), 'papo.db');
  const first = SqliteHistory.open(file);
  first.record(msg(1));
  first.record(msg(2));
  first.close();
  // The server was killed after journaling 3..5 (and ids up to 9 used) but before storing them.
  writeFileSync(journals(file)[0] as string, lines(encodeRecord(msg(2)), encodeRecord(msg(3))));
  writeFileSync(
    journals(file)[1] as string,
    lines(encodeRecord(msg(4)), encodeRecord(msg(5, 'olá "x"\n')), encodeNextId(10)),
  );
  const again = openStore(t, file);
  assert.deepEqual(ids(again.recent(GERAL, 10)), [1, 2, 3, 4, 5]);
  assert.deepEqual(ids(await page(again, GERAL, NEWEST, 10)), [1, 2, 3, 4, 5]);
  const found = await search(again, [GERAL], 'olá', 5);
  assert.ok(found.ok);
  assert.deepEqual(found.records, [msg(5, 'olá "x"\n')]);
  assert.equal(again.nextEventId(), 10);
  assert.deepEqual(journals(file).map(sizeOf), [0, 0], 'the journal is emptied once stored');
});

test('skips a torn last line and a damaged line, keeping the lines around them', (t) => {
  const file = join(tempDir(t, 'papo-journal-'), 'papo.db');
  const torn = encodeRecord(msg(4)).slice(0, 20);
  writeFileSync(
    journals(file)[0] as string,
    lines(encodeRecord(msg(1)), '[2,"not a record"', '{"id":3}', encodeRecord(msg(3))) + torn,
  );
  const store = openStore(t, file);
  assert.deepEqual(ids(store.recent(GERAL, 10)), [1, 3]);
  assert.equal(store.nextEventId(), 4);
});

test('replays nothing the database already has or retention deleted', (t) => {
  const file = join(tempDir(t, 'papo-journal-'), 'papo.db');
  const first = SqliteHistory.open(file, { maxMessages: 1 });
  for (let id = 1; id <= 3; id++) first.record(msg(id));
  first.flush();
  assert.equal(first.prune(), false);
  first.close();
  writeFileSync(journals(file)[0] as string, lines(...[1, 2, 3].map((id) => encodeRecord(msg(id)))));
  const again = openStore(t, file);
  assert.deepEqual(ids(again.recent(GERAL, 10)), [3]);
});

test('a database another server holds is refused before its journal is touched', (t) => {
  const file = join(tempDir(t, 'papo-journal-'), 'papo.db');
  const holder = openStore(t, file);
  holder.record(msg(1));
  holder.flush();
  const journal = readFileSync(journals(file)[0] as string, 'utf8');
  assert.equal(journal, lines(encodeRecord(msg(1))));
  assert.throws(() => SqliteHistory.open(file), /is locked: another papo server/);
  assert.equal(readFileSync(journals(file)[0] as string, 'utf8'), journal);
  assert.deepEqual(ids(holder.recent(GERAL, 5)), [1]);
});

test('a journal the database has no room for waits in it: the store opens, and stores it later', async (t) => {
  const file = join(tempDir(t, 'papo-journal-'), 'papo.db');
  const big = 'x'.repeat(1000);
  const journal = lines(...Array.from({ length: 100 }, (_, i) => encodeRecord(msg(i + 1, big))));
  writeFileSync(journals(file)[0] as string, journal);
  const store = SqliteHistory.open(file, { maxPages: 20 });
  const failure = await new Promise<StoreFailure>((resolve) => (store.onFailure = resolve));
  assert.ok(failure.kind === 'delayed');
  assert.equal(failure.reason, 'the disk is full');
  assert.equal(failure.waiting, 100);
  assert.equal(store.nextEventId(), 101, 'ids of waiting messages are not given again');
  assert.deepEqual(ids(store.recent(GERAL, 2)), [99, 100], 'they are shown meanwhile');
  store.record(msg(101, 'small'));
  assert.deepEqual(ids(store.recent(GERAL, 2)), [100, 101]);
  store.close();
  assert.ok(sizeOf(journals(file)[0] as string) >= journal.length, 'the journal still holds them');
  const roomy = openStore(t, file);
  assert.deepEqual(
    ids(await page(roomy, GERAL, NEWEST, 200)),
    Array.from({ length: 101 }, (_, i) => i + 1),
  );
  assert.deepEqual(journals(file).map(sizeOf), [0, 0]);
});

test('a read waits for every batch flushed before it, search included', async (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-journal-'), 'papo.db'));
  for (let id = 1; id <= 300; id++) {
    store.record(msg(id, `palavra${id}`));
    if (id % 3 === 0) store.flush();
  }
  store.record(msg(301, 'agora mesmo')); // this turn's message, not yet flushed
  assert.deepEqual(ids(await search(store, [GERAL], 'palavra300', 5)), [300]);
  assert.deepEqual(ids(await search(store, [GERAL], 'agora', 5)), [301]);
  assert.equal(ids(await page(store, GERAL, NEWEST, 1000)).length, 301);
});

test('the journal switches files past its size and empties each once it is durable', async (t) => {
  const file = join(tempDir(t, 'papo-journal-'), 'papo.db');
  const rotate = 8192;
  const store = openStore(t, file, { journalRotateBytes: rotate, syncIntervalMs: 5 });
  const batch = 10;
  const text = 'y'.repeat(90);
  const batchBytes = batch * (encodeRecord(msg(1000, text)).length + 1);
  let id = 1;
  let written = 0;
  const used = [false, false];
  const emptied = [false, false];
  while (written < 20 * rotate) {
    for (let i = 0; i < batch; i++) store.record(msg(id++, text));
    assert.equal(store.flush(), true);
    written += batchBytes;
    const sizes = journals(file).map(sizeOf);
    sizes.forEach((size, i) => {
      if (size > 0) used[i] = true;
      else if (used[i]) emptied[i] = true;
      assert.ok(size <= rotate + 2 * batchBytes, `journal-${i} holds ${size} bytes`);
    });
    // Both files hold data: the next switch waits for the worker to make the older one durable.
    if (sizes.every((s) => s > 0) && sizes.some((s) => s >= rotate))
      await until(() => journals(file).some((f) => sizeOf(f) === 0), 'a durable journal file to be emptied');
  }
  assert.deepEqual(used, [true, true]);
  assert.deepEqual(emptied, [true, true]);
  assert.equal(store.size, id - 1);
  store.close();
  assert.deepEqual(journals(file).map(sizeOf), [0, 0]);
});

test('a worker that dies is reported, memory still answers, the rest says unavailable, and the journal keeps it', async (t) => {
  const file = join(tempDir(t, 'papo-journal-'), 'papo.db');
  const store = SqliteHistory.open(file, { tailPerRoom: 1 });
  store.record(msg(1));
  store.record(msg(2));
  store.flush();
  const failure = new Promise<StoreFailure>((resolve) => (store.onFailure = resolve));
  // No public way to kill the worker: reach it as a crash would.
  const { worker } = (store as unknown as { link: { worker: Worker } }).link;
  await worker.terminate();
  const stopped = await failure;
  assert.equal(stopped.kind, 'stopped');
  assert.equal(stopped.reason, 'the history store stopped');
  store.record(msg(3, 'depois'));
  assert.equal(store.flush(), true, 'the journal still takes messages');
  assert.deepEqual(ids(store.recent(GERAL, 1)), [3]);
  const unavailable = { ok: false, reason: 'the history store stopped' };
  assert.deepEqual(await page(store, GERAL, 3, 5), unavailable);
  const later = await new Promise<HistoryResult>((resolve) =>
    store.searchLater([GERAL], 'depois', 5, resolve),
  );
  assert.deepEqual(later, unavailable);
  store.close();

  const again = openStore(t, file);
  assert.deepEqual(ids(await page(again, GERAL, NEWEST, 5)), [1, 2, 3]);
  assert.deepEqual(ids(await search(again, [GERAL], 'depois', 5)), [3]);
});

test('appends each flush to the journal as complete lines before the worker stores it', (t) => {
  const file = join(tempDir(t, 'papo-journal-'), 'papo.db');
  const store = openStore(t, file);
  let next = 1;
  store.nextIdSource = () => next;
  store.record(msg(1));
  store.record({ type: 'action', id: 2, ts: 7, room: '#Sala', from: 'bob', text: 'acena' });
  store.saveRoom({ name: '#Sala', topic: 'bolos', topicBy: 'bob', topicTs: 6 });
  next = 5; // ids 3 and 4 went to events that are not stored
  store.flush();
  assert.equal(
    readFileSync(journals(file)[0] as string, 'utf8'),
    lines(
      encodeRecord(msg(1)),
      '[2,7,"action","bob","acena","#Sala"]',
      '["room",3,"#Sala","bolos","bob",6]',
      '[5]',
    ),
  );
});
