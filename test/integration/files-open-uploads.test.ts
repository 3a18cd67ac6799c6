import assert from 'node:assert/strict';
import { test } from 'node:test';
import { http, offer, patch, sha256, startFileChat } from '../helpers/files.js';

// Issue #14: --max-open-uploads, unfinished upload slots one user may hold at once.

const file = (i: number) => Buffer.from(`file number ${i}\n`.repeat(100));
const fields = (i: number) => ({ name: `f${i}.txt`, size: file(i).length, sha256: sha256(file(i)) });

test('past --max-open-uploads an offer gets TOO_MANY_UPLOADS until one is finished or cancelled', async (t) => {
  const chat = await startFileChat(t, { maxOpenUploads: 2, fileRate: 0 });
  const ana = await chat.bot('ana');
  const bob = await chat.bot('bob');
  const a = await offer(ana, fields(1));
  const b = await offer(ana, fields(2));
  assert.equal(a.type, 'upload_slot');
  assert.equal(b.type, 'upload_slot');

  const refused = await offer(ana, fields(3));
  assert.equal(refused.type, 'error');
  assert.equal(refused.code, 'TOO_MANY_UPLOADS');
  assert.match(String(refused.message), /at most 2 unfinished uploads at once; finish or cancel one/);
  assert.equal(chat.files.db.slotTokens().length, 2, 'no slot was opened for it');
  // Per user: bob is not held back by ana's slots.
  assert.equal((await offer(bob, fields(3))).type, 'upload_slot');

  // Finishing one frees a place ...
  assert.equal((await patch(a.url as string, 0, file(1))).status, 204);
  const c = await offer(ana, fields(3));
  assert.equal(c.type, 'upload_slot');
  assert.equal((await offer(ana, fields(4))).code, 'TOO_MANY_UPLOADS');
  // ... and so does cancelling one.
  assert.equal((await http(b.url as string, 'DELETE')).status, 204);
  assert.equal((await offer(ana, fields(4))).type, 'upload_slot');

  // The slots still open work as before.
  assert.equal((await patch(c.url as string, 0, file(3))).status, 204);
  const event = await ana.jsonOfType('file');
  assert.equal(event.name, 'f3.txt'); // (f1's event was read past by offer())
});

test('open slots are counted by name key, across connections and restarts', async (t) => {
  const chat = await startFileChat(t, { maxOpenUploads: 1, fileRate: 0 });
  const ana = await chat.bot('ana');
  assert.equal((await offer(ana, fields(1))).type, 'upload_slot');
  ana.destroy();
  const again = await chat.bot('ANA'); // the same user, back in other letters
  assert.equal((await offer(again, fields(2))).code, 'TOO_MANY_UPLOADS');
  await chat.stop();
  const later = await startFileChat(t, { maxOpenUploads: 1, fileRate: 0 }, {}, chat.dataDir);
  const back = await later.bot('ana');
  assert.equal((await offer(back, fields(2))).code, 'TOO_MANY_UPLOADS');
  const none = await startFileChat(t, { maxOpenUploads: 0, fileRate: 0 });
  const free = await none.bot('ana');
  for (let i = 0; i < 3; i++) assert.equal((await offer(free, fields(i))).type, 'upload_slot');
});
