import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  HistoryOpenError,
  PRUNE_BATCH_ROWS,
  MIGRATIONS,
  SCHEMA_VERSION,
  SEARCH_RANKED_MATCHES,
  SqliteHistory,
  ftsQuery,
  type StoreFailure,
} from '../../src/store/index.js';
import {
  GERAL,
  NEWEST,
  T0,
  ids,
  more,
  msg,
  nextTurn,
  openStore,
  page,
  records,
  search,
  until,
} from '../helpers/history-store.js';
import { tempDir } from '../helpers/temp.js';

const DAY_MS = 86_400_000;

test('keeps messages and actions across a close and reopen, with their ids, times, rooms and senders', async (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const first = SqliteHistory.open(file);
  first.record(msg(1, 'oi'));
  first.record({ type: 'action', id: 2, ts: 5000, room: GERAL, from: 'bob', text: 'acena' });
  assert.equal(first.flush(), true);
  first.close();
  const again = openStore(t, file);
  const expected = [
    { type: 'message', id: 1, ts: T0 + 1, room: GERAL, from: 'ana', text: 'oi' },
    { type: 'action', id: 2, ts: 5000, room: GERAL, from: 'bob', text: 'acena' },
  ];
  assert.deepEqual(records(again.recent(GERAL, 10)), expected, 'from memory');
  assert.deepEqual(records(await page(again, GERAL, NEWEST, 10)), expected);
});

test('stores no joins, parts, leaves, renames or topics, only what users said', (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  store.record({ type: 'join', id: 1, ts: 1, room: GERAL, name: 'ana' });
  store.record({ type: 'nick', id: 2, ts: 2, old: 'ana', new: 'bia', rooms: [GERAL] });
  store.record(msg(3, 'oi', { from: 'bia' }));
  store.record({ type: 'topic', id: 4, ts: 4, room: GERAL, by: 'bia', text: 'bolos' });
  store.record({ type: 'part', id: 5, ts: 5, room: GERAL, name: 'bia' });
  store.record({ type: 'leave', id: 6, ts: 6, name: 'bia', reason: 'quit', rooms: [GERAL] });
  store.flush();
  assert.deepEqual(ids(store.recent(GERAL, 10)), [3]);
  assert.equal(store.size, 1);
});

test('continues event ids above every id seen, stored or not', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const first = SqliteHistory.open(file);
  assert.equal(first.nextEventId(), 1);
  let next = 1;
  first.nextIdSource = () => next;
  first.record(msg(7, 'oi'));
  next = 8;
  first.flush();
  assert.equal(first.nextEventId(), 8);
  // A private message (id 8) and a join (id 9) are not stored, but their ids are used.
  next = 10;
  first.flush();
  first.close();
  const again = openStore(t, file);
  assert.equal(again.nextEventId(), 10);
});

test('continues event ids above messages that retention deleted, after a restart', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const now = 100 * DAY_MS;
  const first = SqliteHistory.open(file, { maxDays: 1, now: () => now });
  let next = 1;
  first.nextIdSource = () => next;
  for (let id = 1; id <= 5; id++) first.record(msg(id, `m${id}`, { ts: now - 2 * DAY_MS }));
  next = 6;
  first.flush();
  assert.equal(first.prune(now), false);
  assert.equal(first.size, 0, 'every message was too old');
  first.close();
  const again = openStore(t, file);
  assert.equal(again.nextEventId(), 6);
});

test('stores a large batch in one flush, every message in order', async (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const store = openStore(t, file);
  const total = 1000;
  for (let id = 1; id <= total; id++) {
    if (id % 3 === 0)
      store.record({ type: 'action', id, ts: id, room: GERAL, from: `u${id % 7}`, text: `acena ${id}` });
    else store.record(msg(id, `m${id}`, { from: `u${id % 7}`, ts: id }));
  }
  assert.equal(store.flush(), true);
  assert.equal(store.size, total);
  const stored = records(await page(store, GERAL, NEWEST, total));
  assert.deepEqual(
    stored.map((r) => r.id),
    Array.from({ length: total }, (_, i) => i + 1),
  );
  const acena = { type: 'action', id: 300, ts: 300, room: GERAL, from: 'u6', text: 'acena 300' };
  assert.deepEqual(stored[299], acena);
  assert.deepEqual(stored[997], { type: 'message', id: 998, ts: 998, room: GERAL, from: 'u4', text: 'm998' });
});

test('answers a replay from memory at once, this turn’s messages included, without a flush', (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  store.record(msg(1, 'oi'));
  assert.deepEqual(store.recent(GERAL, 5), { ok: true, records: [msg(1, 'oi')], more: false });
  assert.equal(store.pendingCount, 1, 'nothing was flushed for it');
});

test('gives the newest N oldest first, and pages back before an id', async (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  for (let id = 1; id <= 30; id += 2) store.record(msg(id, `m${id}`));
  store.flush();
  assert.deepEqual(store.recent(GERAL, 3), {
    ok: true,
    records: [25, 27, 29].map((id) => msg(id)),
    more: true,
  });
  assert.deepEqual(ids(await page(store, GERAL, 25, 3)), [19, 21, 23]);
  assert.deepEqual(ids(await page(store, GERAL, 4, 3)), [1, 3]);
  assert.deepEqual(ids(await page(store, GERAL, 1, 3)), []);
  assert.deepEqual(more(store.recent(GERAL, 100)), false);
  assert.equal(records(store.recent(GERAL, 100)).length, 15);
});

test('a replay with `since` holds only newer messages, and says whether older ones above it exist', (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  for (let id = 1; id <= 10; id++) store.record(msg(id));
  assert.deepEqual(store.recent(GERAL, 3, 6), {
    ok: true,
    records: [8, 9, 10].map((id) => msg(id)),
    more: true,
  });
  assert.deepEqual(store.recent(GERAL, 4, 6), {
    ok: true,
    records: [7, 8, 9, 10].map((id) => msg(id)),
    more: false,
  });
  assert.deepEqual(store.recent(GERAL, 3, 10), { ok: true, records: [], more: false });
});

test('search finds messages holding every word, best match first, ignoring case and accents', async (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  store.record(msg(1, 'o café está pronto', { from: 'ana' }));
  store.record(msg(2, 'cafe cafe cafe, mais café', { from: 'bob' }));
  store.record(msg(3, 'chá pronto', { from: 'cia' }));
  store.record({ type: 'action', id: 4, ts: 4, room: GERAL, from: 'dan', text: 'prepara um CAFÉ' });
  store.flush();
  const found = records(await search(store, [GERAL], 'Cafe', 10));
  assert.deepEqual(found.map((r) => r.id).sort(), [1, 2, 4]);
  assert.equal(found[0]?.id, 2, 'the message that says café most often ranks first');
  assert.deepEqual(ids(await search(store, [GERAL], 'café pronto', 10)), [1]);
  assert.deepEqual(ids(await search(store, [GERAL], 'pronto', 1)).length, 1);
  assert.deepEqual(ids(await search(store, [GERAL], 'nada', 10)), []);
});

test('search ranks the newest SEARCH_RANKED_MATCHES matches only, and finds rarer words anywhere', async (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  store.record(msg(1, 'comum comum comum comum antigo')); // the best match of "comum", and the oldest
  for (let id = 2; id <= SEARCH_RANKED_MATCHES + 1; id++) store.record(msg(id, `comum texto ${id}`));
  store.flush();
  const found = ids(await search(store, [GERAL], 'comum', 100));
  assert.equal(found.length, 100);
  assert.ok(!found.includes(1), 'the oldest match is past the newest 5,000 and not ranked');
  assert.deepEqual(ids(await search(store, [GERAL], 'antigo', 5)), [1]);
  const newest = SEARCH_RANKED_MATCHES + 2;
  store.record(msg(newest, 'comum comum comum comum novo'));
  assert.deepEqual(
    ids(await search(store, [GERAL], 'comum', 1)),
    [newest],
    'within them, the best match first',
  );
});

test('searchLater answers later, from the event loop, seeing what was recorded before it', async (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  store.record(msg(1, 'bolo de cenoura'));
  let got = false;
  const answer = search(store, [GERAL], 'cenoura', 5).finally(() => (got = true));
  await Promise.resolve();
  assert.equal(got, false, 'not answered before it returns');
  store.record(msg(2, 'mais cenoura')); // after the search: not in its answer
  store.flush();
  assert.deepEqual(ids(await answer), [1]);
  assert.deepEqual(ids(await search(store, [GERAL], 'cenoura', 5)).sort(), [1, 2]);
  assert.deepEqual(await search(store, [GERAL], '  ', 5), { ok: true, records: [] });
  assert.deepEqual(await search(store, [], 'cenoura', 5), { ok: true, records: [] });
});

test('search takes FTS syntax in user input literally and never fails on it', async (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  store.record(msg(1, 'use "NEAR" or OR AND * carefully: col:x'));
  store.flush();
  for (const query of [
    '"',
    'NEAR(',
    'OR',
    'AND OR NOT',
    '*',
    'col:x',
    '"unterminated',
    '(((',
    '^a',
    '-x',
    '   ',
  ]) {
    assert.ok((await search(store, [GERAL], query, 5)).ok, query);
  }
  assert.deepEqual(ids(await search(store, [GERAL], 'OR', 5)), [1]);
  assert.deepEqual(ids(await search(store, [GERAL], '"near"', 5)), [1]);
});

test('retention keeps the newest --history-max-messages, deleting in small batches', async (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'), { maxMessages: 10 });
  const total = PRUNE_BATCH_ROWS + 60;
  for (let id = 1; id <= total; id++) store.record(msg(id, `m${id}`));
  store.flush();
  assert.equal(store.size, total);
  assert.equal(store.prune(), true, 'one step deletes one batch and says more is due');
  assert.equal(store.size, total - PRUNE_BATCH_ROWS);
  assert.equal(store.prune(), false);
  assert.equal(store.size, 10);
  const newest = Array.from({ length: 10 }, (_, i) => total - 9 + i);
  assert.deepEqual(ids(store.recent(GERAL, 100)), newest, 'memory forgets them too');
  assert.equal(more(store.recent(GERAL, 100)), false);
  assert.deepEqual(ids(await page(store, GERAL, total - 9, 5)), []);
  assert.deepEqual(
    ids(await search(store, [GERAL], 'm1', 5)),
    [],
    'pruned messages leave the search index too',
  );
  assert.equal(records(await search(store, [GERAL], `m${total}`, 5)).length, 1);
});

test('retention drops messages older than --history-max-days, and reads never show them', async (t) => {
  const now = 100 * DAY_MS;
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'), { maxDays: 2, now: () => now });
  store.record(msg(1, 'old', { ts: now - 3 * DAY_MS }));
  store.record(msg(2, 'older than two days', { ts: now - 2 * DAY_MS - 1 }));
  store.record(msg(3, 'recent', { ts: now - DAY_MS }));
  store.record(msg(4, 'now', { ts: now }));
  store.flush();
  assert.deepEqual(ids(store.recent(GERAL, 10)), [3, 4]);
  assert.equal(more(store.recent(GERAL, 10)), false, 'before retention ran');
  assert.deepEqual(ids(await search(store, [GERAL], 'old', 5)), []);
  assert.equal(store.prune(now), false);
  assert.deepEqual(ids(store.recent(GERAL, 10)), [3, 4]);
  assert.equal(store.size, 2);
});

test('a commit that fails loses nothing: its messages wait, readable, and are stored once there is room', async (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const store = openStore(t, file, { maxPages: 40, maxMessages: 20, tailPerRoom: 2 });
  const failures: StoreFailure[] = [];
  store.onFailure = (f) => failures.push(f);
  const big = 'x'.repeat(1000);
  let id = 1;
  while (failures.length === 0 && id < 10_000) {
    store.record(msg(id, big, { from: id % 2 ? 'ana' : 'bob' }));
    store.record(msg(id + 1, big, { from: 'cia' }));
    assert.equal(store.flush(), true, 'the journal takes the turn: it is acknowledged');
    assert.ok(store.size >= 0); // waits until the worker has tried to store the batch
    await nextTurn(); // a failure is told right after the read that learnt of it
    id += 2;
  }
  const delayed = failures[0];
  assert.ok(delayed?.kind === 'delayed', JSON.stringify(failures));
  assert.equal(delayed.reason, 'the disk is full');
  assert.equal(delayed.waiting, 2);
  const last = id - 1;
  // Waiting messages are still read: the newest from memory, a page from the worker.
  assert.deepEqual(ids(store.recent(GERAL, 2)), [last - 1, last]);
  assert.deepEqual(ids(await page(store, GERAL, NEWEST, 3)), [last - 2, last - 1, last]);
  // Retention makes room; the next try stores what waits.
  while (store.prune());
  await until(() => failures.some((f) => f.kind === 'resumed'), 'storing to resume');
  const resumed = failures.find((f) => f.kind === 'resumed');
  assert.ok(resumed?.kind === 'resumed' && resumed.stored === 2);
  assert.equal(store.size, 22, '20 kept by retention, and the 2 that waited');
  store.close();
  const db = new Database(file, { readonly: true });
  t.after(() => db.close());
  assert.equal(db.prepare('SELECT max(id) FROM messages').pluck().get(), last);
});

test('refuses a file that is not an SQLite database, saying so', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  writeFileSync(file, 'this is not a database\n'.repeat(200));
  assert.throws(
    () => SqliteHistory.open(file),
    (err: unknown) =>
      err instanceof HistoryOpenError &&
      err.message.includes(file) &&
      /damaged or not an SQLite database/.test(err.message),
  );
});

test('refuses a database another server holds', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  openStore(t, file);
  assert.throws(
    () => SqliteHistory.open(file),
    (err: unknown) => err instanceof HistoryOpenError && /is locked: another papo server/.test(err.message),
  );
});

test('refuses a path it cannot write a database at', (t) => {
  const dir = tempDir(t, 'papo-store-');
  const file = join(dir, 'papo.db');
  mkdirSync(file); // a directory where the file should be: unwritable even for root
  assert.throws(
    () => SqliteHistory.open(file),
    (err: unknown) =>
      err instanceof HistoryOpenError && /cannot write the history database/.test(err.message),
  );
});

test('refuses a database from a newer papo, and migrates a fresh one to the current version', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  SqliteHistory.open(file).close();
  const db = new Database(file);
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(
    () => SqliteHistory.open(file),
    (err: unknown) => err instanceof HistoryOpenError && /written by a newer papo/.test(err.message),
  );
});

function ftsIntegrity(file: string): void {
  const db = new Database(file);
  try {
    db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
  } finally {
    db.close();
  }
}

test('indexes for search in the background, and catches up on messages never indexed', async (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const first = SqliteHistory.open(file);
  for (let id = 1; id <= 3; id++) first.record(msg(id, `palavra${id} comum`));
  first.flush();
  assert.equal(first.unindexedCount, 3, 'committing does not index');
  assert.equal(first.index(2), true);
  assert.equal(first.unindexedCount, 1);
  first.close(); // as if the process died before the next indexing step
  const again = openStore(t, file);
  assert.equal(again.unindexedCount, 1);
  assert.deepEqual(ids(await search(again, [GERAL], 'palavra3', 5)), [3], 'search catches up first');
  assert.deepEqual(ids(await search(again, [GERAL], 'comum', 5)).sort(), [1, 2, 3]);
  assert.equal(again.unindexedCount, 0);
  assert.equal(again.index(), false);
});

test('a flush waits for a worker more than maxBacklog ids behind in storing, and not before', (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'), { maxBacklog: 5 });
  // The wait is the lag's synchronous catch-up call: count them.
  const link = (store as unknown as { link: { call: (call: { op: string }) => unknown } }).link;
  const call = link.call.bind(link);
  const waits: string[] = [];
  link.call = (c) => (c.op === 'catchUp' && waits.push(c.op), call(c));
  for (let id = 1; id <= 4; id++) store.record(msg(id));
  store.flush();
  assert.deepEqual(waits, [], 'within the bound, nothing waits');
  for (let id = 5; id <= 8; id++) store.record(msg(id));
  store.flush(); // 8 ids journaled, none stored yet
  assert.deepEqual(waits, ['catchUp'], 'past it, the flush waited for the worker to store');
  assert.equal(store.size, 8);
  assert.equal(store.unindexedCount, 8, 'storing does not wait for the search index');
});

test('with onBacklog, a flush past maxBacklog does not wait: it says so, and again once the worker caught up', async (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'), { maxBacklog: 5 });
  const told: boolean[] = [];
  let caughtUp: () => void = () => {};
  const back = new Promise<void>((resolve) => (caughtUp = resolve));
  store.lag.onBacklog = (behind) => {
    told.push(behind);
    if (!behind) caughtUp();
  };
  for (let id = 1; id <= 4; id++) store.record(msg(id));
  store.flush();
  assert.deepEqual(told, [], 'within the bound, nothing is said');
  for (let id = 5; id <= 8; id++) store.record(msg(id));
  store.flush();
  assert.deepEqual(told, [true], 'past it, the flush returns at once, the lag told');
  await back;
  assert.deepEqual(told, [true, false]);
  assert.equal(store.size, 8, 'the worker stored everything');
});

test('retention of messages not yet indexed keeps the search index consistent', async (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const store = SqliteHistory.open(file, { maxMessages: 4 });
  for (let id = 1; id <= 10; id++) store.record(msg(id, `m${id} texto`));
  store.flush();
  store.index(3); // 1..3 indexed, 4..10 not
  assert.equal(store.prune(), false);
  assert.deepEqual(
    ids(await search(store, [GERAL], 'texto', 20)).sort((a, b) => a - b),
    [7, 8, 9, 10],
  );
  store.close();
  ftsIntegrity(file);
});

test('migrates a version 1 database (index kept by a trigger) to the current schema', async (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const db = new Database(file);
  db.exec(MIGRATIONS[0] as string);
  db.pragma('user_version = 1');
  db.prepare(
    "INSERT INTO messages (id, ts, kind, sender, text) VALUES (5, 1, 'message', 'ana', 'dados antigos')",
  ).run();
  db.close();
  const store = openStore(t, file);
  assert.equal(store.unindexedCount, 1, 'version 4 indexes everything again');
  assert.deepEqual(ids(await search(store, [GERAL], 'antigos', 5)), [5]);
  store.record(msg(6, 'dados novos'));
  store.flush();
  assert.deepEqual(ids(await search(store, [GERAL], 'dados', 5)).sort(), [5, 6]);
  assert.equal(store.nextEventId(), 7);
  store.close();
  ftsIntegrity(file);
});

test('a version 3 database, its index rebuilt without token counts, ranks searches as before', async (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const db = new Database(file);
  for (const [i, m] of MIGRATIONS.slice(0, 3).entries()) {
    db.exec(typeof m === 'string' ? m : m({ defaultRoom: GERAL }));
    db.pragma(`user_version = ${i + 1}`);
  }
  const texts = [
    'bolo de cenoura',
    'cenoura cenoura cenoura',
    'um bolo de chocolate com cenoura e muito mais texto à volta',
    'T1:123:456 cenoura',
    'nada a ver',
    'Cenoura, BOLO; café',
  ];
  const insert = db.prepare(
    "INSERT INTO messages (id, ts, kind, sender, text, room) VALUES (?, ?, 'message', 'ana', ?, ?)",
  );
  texts.forEach((text, i) => insert.run(i + 1, T0 + i, text, GERAL));
  db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
  db.exec(`UPDATE meta SET value = ${texts.length} WHERE key = 'fts_indexed_id'`);
  const queries = ['cenoura', 'bolo', 'bolo cenoura', 'cafe', '123:456', 'T1:123', 'nada'];
  const before = new Map<string, number[]>();
  const rank = db.prepare(
    'SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rank, rowid DESC',
  );
  for (const q of queries) before.set(q, rank.pluck().all(ftsQuery(q)) as number[]);
  db.close();
  const store = openStore(t, file);
  for (const q of queries) {
    assert.deepEqual(ids(await search(store, [GERAL], q, 10)), before.get(q), q);
  }
  store.close();
  const after = new Database(file, { readonly: true });
  assert.equal(after.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  after.close();
  ftsIntegrity(file);
});
