import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import type { LiveSlot } from '../../src/server/files/file-service.js';
import { http, offer, send, sha256, startFileChat } from '../helpers/files.js';

// Issue #14: a second upload of stored content is deduplicated (its bytes dropped, its record
// pointing at the stored blob) while the sweeper removes the last other record of that content.

const DAY_MS = 24 * 60 * 60 * 1000;

test('a deduplicated upload committed while the sweeper drops the old copy keeps its bytes', async (t) => {
  let now = Date.UTC(2026, 0, 1);
  const chat = await startFileChat(t, { fileRate: 0, filesMaxDays: 1, now: () => now });
  const ana = await chat.bot('ana');
  const data = Buffer.from('the same bytes, twice\n'.repeat(5000));
  const first = await send(ana, data, { name: 'old.txt' });
  assert.equal(first.answer.status, 204);

  // The same content again: its upload is whole and about to be stored (as a PATCH's end does).
  const slot = await offer(ana, { name: 'new.txt', size: data.length, sha256: sha256(data) });
  const token = /\/u\/([^/]+)$/.exec(slot.url as string)?.[1] ?? assert.fail('no token');
  writeFileSync(chat.files.blobs.tmpPath(token), data);
  const live = (chat.files as unknown as { live: Map<string, LiveSlot> }).live.get(token);
  assert.ok(live);
  live.offset = data.length;
  live.busy = true;

  now += 2 * DAY_MS; // the first copy has expired: the next sweep removes it
  const [url] = await Promise.all([chat.files.store(live, 'text/plain'), chat.files.sweep()]);

  assert.equal((await http(first.answer.headers['papo-file-url'] as string, 'GET')).status, 404);
  const got = await http(url, 'GET');
  assert.equal(got.status, 200, 'the new record must not point at removed bytes');
  assert.equal(sha256(got.body), sha256(data));
  assert.deepEqual(await chat.files.blobs.blobNames(), [sha256(data)]);
});
