import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { SavedRoom } from '../../src/core/history.js';
import { MIGRATIONS, SqliteHistory } from '../../src/store/index.js';
import { encodeRecord, encodeRoom } from '../../src/store/journal-codec.js';
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

const journals = (file: string) => [`${file}.journal-0`, `${file}.journal-1`];
const lines = (...items: string[]) => items.map((l) => `${l}\n`).join('');
const room = (name: string, topic = '', topicBy = '', topicTs = 0): SavedRoom => ({
  name,
  topic,
  topicBy,
  topicTs,
});

/** Stops the worker as `kill -9` would stop the server: nothing is closed or emptied. */
async function killWorker(store: SqliteHistory): Promise<void> {
  const { worker } = (store as unknown as { link: { worker: Worker } }).link;
  await worker.terminate();
  store.close();
}

test('keeps each room’s messages apart: replays, pages and searches see only the rooms asked for', async (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-rooms-'), 'papo.db'));
  for (let id = 1; id <= 12; id++)
    store.record(msg(id, `bolo ${id}`, { room: id % 3 === 0 ? '#cozinha' : GERAL }));
  store.flush();
  assert.deepEqual(ids(store.recent('#cozinha', 2)), [9, 12]);
  assert.deepEqual(ids(store.recent(GERAL, 3)), [8, 10, 11]);
  assert.deepEqual(ids(await page(store, '#cozinha', 9, 10)), [3, 6]);
  assert.deepEqual(ids(await page(store, GERAL, 4, 10)), [1, 2]);
  assert.deepEqual(ids(store.recent('#vazia', 5)), []);
  assert.deepEqual(
    ids(await search(store, ['#cozinha'], 'bolo', 10)).sort((a, b) => a - b),
    [3, 6, 9, 12],
  );
  assert.equal(records(await search(store, ['#cozinha', GERAL], 'bolo', 100)).length, 12);
  assert.deepEqual(ids(await search(store, ['#vazia'], 'bolo', 10)), []);
});

test('compares rooms by key, and names records by the room’s saved spelling', async (t) => {
  const file = join(tempDir(t, 'papo-rooms-'), 'papo.db');
  const first = SqliteHistory.open(file);
  first.saveRoom(room('#Rust'));
  first.record(msg(1, 'oi', { room: '#Rust' }));
  first.record(msg(2, 'caixa', { room: '#RUST' }));
  first.record(msg(3, 'sem nome salvo', { room: '#Sem-Sala' }));
  assert.deepEqual(
    records(first.recent('#rust', 5)).map((r) => r.room),
    ['#Rust', '#Rust'],
  );
  first.close();
  const again = openStore(t, file);
  assert.deepEqual(
    records(again.recent('#RUST', 5)).map((r) => r.room),
    ['#Rust', '#Rust'],
  );
  assert.deepEqual(records(await search(again, ['#rust'], 'caixa', 5))[0]?.room, '#Rust');
  assert.deepEqual(
    records(again.recent('#Sem-Sala', 5)).map((r) => r.room),
    ['#sem-sala'],
    'a room never saved is named by its key',
  );
});

test('keeps saved rooms and their topics across restarts, the newest save of each', (t) => {
  const file = join(tempDir(t, 'papo-rooms-'), 'papo.db');
  const first = SqliteHistory.open(file);
  first.saveRoom(room('#Rust'));
  first.saveRoom(room('#geral', 'boas-vindas', 'ana', T0));
  first.saveRoom(room('#Rust', 'caranguejos', 'bob', T0 + 5));
  assert.deepEqual(first.savedRooms(), [
    room('#Rust', 'caranguejos', 'bob', T0 + 5),
    room('#geral', 'boas-vindas', 'ana', T0),
  ]);
  first.close();
  const again = openStore(t, file);
  const saved = again.savedRooms().sort((a, b) => a.name.localeCompare(b.name));
  assert.deepEqual(saved, [
    room('#geral', 'boas-vindas', 'ana', T0),
    room('#Rust', 'caranguejos', 'bob', T0 + 5),
  ]);
});

test('a topic set just before kill -9 is kept: the journal carries saved rooms', async (t) => {
  const file = join(tempDir(t, 'papo-rooms-'), 'papo.db');
  const first = SqliteHistory.open(file);
  first.saveRoom(room('#Rust'));
  first.flush();
  first.saveRoom(room('#Rust', 'último tópico', 'ana', T0));
  await nextTurn(); // no message this turn: the store flushes the save itself
  await killWorker(first);
  const again = openStore(t, file);
  assert.deepEqual(again.savedRooms(), [room('#Rust', 'último tópico', 'ana', T0)]);
});

test('a save replayed from the journal never overwrites a newer one', (t) => {
  const file = join(tempDir(t, 'papo-rooms-'), 'papo.db');
  const first = SqliteHistory.open(file);
  first.nextIdSource = () => 20;
  first.saveRoom(room('#Rust', 'novo', 'bob', T0 + 20));
  first.close();
  // Older saves still in the journal (its files emptied late), the older one in the second file.
  writeFileSync(
    journals(file)[0] as string,
    lines(encodeRoom({ ...room('#Rust', 'velho', 'ana', T0 + 7), stamp: 7 })),
  );
  writeFileSync(
    journals(file)[1] as string,
    lines(encodeRoom({ ...room('#Rust', 'mais velho', 'ana', T0 + 6), stamp: 6 })),
  );
  const again = openStore(t, file);
  assert.deepEqual(again.savedRooms(), [room('#Rust', 'novo', 'bob', T0 + 20)]);
});

test('migrates a version 2 database: its messages belong to the default room given then, for good', async (t) => {
  const file = join(tempDir(t, 'papo-rooms-'), 'papo.db');
  const db = new Database(file);
  for (const [i, sql] of MIGRATIONS.slice(0, 2).entries()) {
    db.exec(sql as string);
    db.pragma(`user_version = ${i + 1}`);
  }
  const insert = db.prepare(
    "INSERT INTO messages (id, ts, kind, sender, text) VALUES (?, ?, 'message', 'ana', ?)",
  );
  for (let id = 1; id <= 3; id++) insert.run(id, T0 + id, `antes das salas ${id}`);
  db.close();

  const first = SqliteHistory.open(file, { defaultRoom: '#Praça' });
  assert.deepEqual(ids(first.recent('#praça', 5)), [1, 2, 3]);
  assert.equal(records(first.recent('#praça', 5))[0]?.room, '#Praça');
  assert.deepEqual(first.savedRooms(), [room('#Praça')]);
  first.record(msg(4, 'depois', { room: '#Praça' }));
  first.close();

  const later = openStore(t, file, { defaultRoom: '#outra' });
  assert.deepEqual(ids(later.recent('#Praça', 5)), [1, 2, 3, 4], 'they stay in the room they were given');
  assert.deepEqual(ids(later.recent('#outra', 5)), []);
  assert.deepEqual(ids(await search(later, ['#praça'], 'salas', 5)).sort(), [1, 2, 3]);
});

test('a fresh database saves no default room of its own', (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-rooms-'), 'papo.db'), { defaultRoom: '#Praça' });
  assert.deepEqual(store.savedRooms(), []);
});

test('stores what an older server journaled (lines without a room) in the default room', (t) => {
  const file = join(tempDir(t, 'papo-rooms-'), 'papo.db');
  const legacy = (id: number) => JSON.stringify([id, T0 + id, 'message', 'ana', `m${id}`]);
  writeFileSync(
    journals(file)[0] as string,
    lines(legacy(1), legacy(2), encodeRecord(msg(3, 'm3', { room: '#nova' }))),
  );
  const store = openStore(t, file, { defaultRoom: '#Praça' });
  assert.deepEqual(ids(store.recent('#praça', 5)), [1, 2]);
  assert.deepEqual(ids(store.recent('#nova', 5)), [3]);
});

test('keeps about maxTailRecords in memory: a room past it is loaded again when read', async (t) => {
  const file = join(tempDir(t, 'papo-rooms-'), 'papo.db');
  const store = openStore(t, file, { tailPerRoom: 4, maxTailRecords: 20 });
  let id = 1;
  for (let r = 0; r < 10; r++) for (let i = 0; i < 6; i++) store.record(msg(id++, `m`, { room: `#r${r}` }));
  store.flush();
  // #r0 was written to longest ago: it left memory. A first read says "more" and loads it.
  assert.deepEqual(store.recent('#r0', 4), { ok: true, records: [], more: true });
  await until(() => ids(store.recent('#r0', 4)).length === 4, '#r0 to be loaded');
  assert.deepEqual(store.recent('#r0', 4), {
    ok: true,
    records: [3, 4, 5, 6].map((n) => msg(n, 'm', { room: '#r0' })),
    more: true,
  });
  assert.deepEqual(ids(await page(store, '#r0', 3, 10)), [1, 2]);
  // A message to a room not in memory: shown at once, the older ones once loaded.
  store.record(msg(id, 'novo', { room: '#r1' }));
  assert.deepEqual(ids(store.recent('#r1', 4)), [id]);
  await until(() => ids(store.recent('#r1', 4)).length === 4, '#r1 to be loaded');
  assert.deepEqual(ids(store.recent('#r1', 4)), [10, 11, 12, id]);
  assert.deepEqual(ids(await page(store, '#r1', NEWEST, 100)), [7, 8, 9, 10, 11, 12, id]);
});

test('at open, loads the rooms written to most recently up to maxTailRecords, the others when read', async (t) => {
  const file = join(tempDir(t, 'papo-rooms-'), 'papo.db');
  const first = SqliteHistory.open(file);
  let id = 1;
  for (let r = 0; r < 10; r++) for (let i = 0; i < 5; i++) first.record(msg(id++, `m`, { room: `#r${r}` }));
  first.close();
  const again = openStore(t, file, { tailPerRoom: 4, maxTailRecords: 20 });
  assert.deepEqual(ids(again.recent('#r9', 4)), [47, 48, 49, 50]);
  assert.equal(more(again.recent('#r9', 4)), true);
  assert.deepEqual(again.recent('#r0', 4), { ok: true, records: [], more: true });
  await until(() => ids(again.recent('#r0', 4)).length === 4, '#r0 to be loaded');
  assert.deepEqual(ids(again.recent('#r0', 5)), [2, 3, 4, 5]);
});
