import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteHistory, type StoreFailure } from '../../src/store/index.js';
import { nextTurn, until } from '../helpers/history-store.js';
import { tempDir } from '../helpers/temp.js';

/**
 * A tmpfs of `bytes` mounted for this test (root only), unmounted when it ends; null when it
 * cannot be mounted here.
 */
function smallDisk(t: TestContext, bytes: number): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'papo-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  t.after(() => {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/**
 * Ids and texts stored in the database at `file` (no store holding it), read from a copy: on a
 * full disk SQLite could not even make the shared-memory file a reader needs.
 */
function storedTexts(t: TestContext, file: string): Map<number, string> {
  const copy = join(tempDir(t, 'papo-copy-'), 'papo.db');
  copyFileSync(file, copy);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
  const db = new Database(copy, { readonly: true });
  try {
    const rows = db.prepare('SELECT id, text FROM messages').all() as Array<{ id: number; text: string }>;
    return new Map(rows.map((r) => [r.id, r.text]));
  } finally {
    db.close();
  }
}

test('refuses a zero-byte database that had a history, so event ids are never given again', (t) => {
  const file = join(tempDir(t, 'papo-hardening-'), 'papo.db');
  const first = SqliteHistory.open(file);
  for (let id = 1; id <= 10; id++)
    first.record({
      type: 'message',
      id,
      ts: 1_764_000_000_000 + id,
      room: '#geral',
      from: 'ana',
      text: `m${id}`,
    });
  first.flush();
  first.close();
  truncateSync(file, 0); // what a crash of the file system or a stray `> papo.db` leaves
  let again: SqliteHistory | null = null;
  try {
    again = SqliteHistory.open(file);
  } catch (err) {
    assert.match((err as Error).message, /papo\.db is empty/);
    return;
  }
  const nextId = again.nextEventId();
  again.close();
  assert.fail(`opened as a new history: ids start again at ${nextId} (1..10 were given)`);
});

const TURN_MESSAGES = 10;

/**
 * Records messages on a 2 MiB disk, one journaled turn at a time, the worker keeping up as it
 * does in a server (each turn waits for it), until the disk is full: commits fail first, then
 * journal writes. Returns the acknowledged messages (their turn's journal write succeeded) and
 * how many were refused, then frees some space.
 */
async function fillTheDisk(
  store: SqliteHistory,
  dir: string,
): Promise<{ acked: Map<number, string>; refused: number }> {
  const acked = new Map<number, string>();
  let refused = 0;
  let id = 1;
  for (let turn = 0; turn < 2000 && refused < 50 * TURN_MESSAGES; turn++) {
    const batch = new Map<number, string>();
    for (let i = 0; i < TURN_MESSAGES; i++, id++) {
      const text = `mensagem ${id} ${'x'.repeat(300)}`;
      store.record({ type: 'message', id, ts: 1_764_000_000_000 + id, room: '#geral', from: 'ana', text });
      batch.set(id, text);
    }
    if (store.flush()) for (const [k, v] of batch) acked.set(k, v);
    else refused += batch.size;
    assert.ok(store.size >= 0); // waits for the worker to take the batch
    await nextTurn();
  }
  unlinkSync(join(dir, 'filler')); // space comes back
  return { acked, refused };
}

test('a full disk loses no acknowledged message: the journal keeps it until it is stored', async (t) => {
  const dir = smallDisk(t, 2 * 1024 * 1024);
  if (dir === null) return t.skip('needs root to mount a 2 MiB tmpfs');
  writeFileSync(join(dir, 'filler'), Buffer.alloc(512 * 1024));
  const file = join(dir, 'papo.db');
  const store = SqliteHistory.open(file, { syncIntervalMs: 10 });
  const failures: StoreFailure[] = [];
  store.onFailure = (f) => failures.push(f);
  const { acked, refused } = await fillTheDisk(store, dir);
  await until(() => failures.some((f) => f.kind === 'resumed'), 'storing to resume');
  const stored = storedTexts(t, file);
  store.close();
  const lost = [...acked].filter(([id, text]) => stored.get(id) !== text).length;
  t.diagnostic(`${acked.size} acknowledged, ${refused} refused, ${lost} acknowledged lost`);
  assert.ok(refused > 0, 'the disk did fill up');
  assert.equal(lost, 0, `${lost} of ${acked.size} acknowledged messages lost`);
  const delayed = failures.find((f) => f.kind === 'delayed');
  assert.equal(delayed?.reason, 'the disk is full');
  const notJournaled = failures.flatMap((f) => (f.kind === 'not_journaled' ? f.lost.map((m) => m.id) : []));
  assert.equal(notJournaled.length, refused, 'every refused message was reported, with its id');
  assert.ok(notJournaled.every((id) => !acked.has(id)));
});

test('a server killed while the disk is full loses no acknowledged message either', async (t) => {
  const dir = smallDisk(t, 2 * 1024 * 1024);
  if (dir === null) return t.skip('needs root to mount a 2 MiB tmpfs');
  writeFileSync(join(dir, 'filler'), Buffer.alloc(512 * 1024));
  const file = join(dir, 'papo.db');
  const store = SqliteHistory.open(file, { syncIntervalMs: 10 });
  store.onFailure = () => {};
  const { acked } = await fillTheDisk(store, dir);
  // As kill -9 would: the worker stops where it is, nothing is closed.
  const { worker } = (store as unknown as { link: { worker: Worker } }).link;
  await worker.terminate();
  store.close();
  SqliteHistory.open(file).close(); // the next start stores what the journal holds
  const stored = storedTexts(t, file);
  const lost = [...acked].filter(([id, text]) => stored.get(id) !== text).length;
  t.diagnostic(`${acked.size} acknowledged, ${lost} acknowledged lost`);
  assert.equal(lost, 0, `${lost} of ${acked.size} acknowledged messages lost`);
});
