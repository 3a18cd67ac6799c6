import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LineClient } from '../helpers/line-client.js';
import { http, send, sha256, startFileChat } from '../helpers/files.js';
import { tempDir } from '../helpers/temp.js';
import { pipeClient, startPapo } from './client-files-harness.js';

// Issue #14: `file_lookup`, the `file` event of an offer this connection did not see.

const lookup = (c: LineClient, id: unknown, ref: unknown = 'l1') =>
  c.sendLine(JSON.stringify({ type: 'file_lookup', id, ref }));

async function errorOf(c: LineClient): Promise<Record<string, unknown>> {
  return c.jsonOfType('error');
}

test('a user who joined after a room file was sent gets its event by id, and the file', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const data = randomBytes(70_000);
  const { answer } = await send(ana, data, { name: 'ata.pdf' });
  assert.equal(answer.status, 204);
  const seen = await ana.jsonOfType('file');

  const carol = await chat.bot('carol'); // joined later: never saw it
  lookup(carol, seen.id);
  const again = await carol.jsonOfType('file');
  assert.deepEqual(again, seen);
  const got = await http(again.url as string, 'GET');
  assert.equal(sha256(got.body), sha256(data));

  // And after a restart, from files.db.
  await chat.stop();
  const later = await startFileChat(t, {}, {}, chat.dataDir);
  const dave = await later.bot('dave');
  lookup(dave, seen.id);
  const afterRestart = await dave.jsonOfType('file');
  assert.equal(afterRestart.id, seen.id);
  assert.equal(afterRestart.sha256, sha256(data));
  assert.equal(afterRestart.name, 'ata.pdf');
});

test('a private file, or a room file of a room one is not in, is unknown to others', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const bob = await chat.bot('bob');
  const eve = await chat.bot('eve');
  await send(ana, Buffer.from('segredo'), { to: 'bob', name: 's.txt' });
  const priv = await bob.jsonOfType('file');
  await ana.jsonOfType('file');

  lookup(eve, priv.id, 'e1');
  const refused = await errorOf(eve);
  assert.equal(refused.code, 'NO_SUCH_FILE');
  assert.equal(refused.ref, 'e1');
  // An id nobody has is answered exactly alike: no telling which ids exist.
  lookup(eve, 999_999, 'e1');
  const unknown = await errorOf(eve);
  assert.deepEqual({ ...unknown }, { ...refused });

  lookup(bob, priv.id);
  assert.equal((await bob.jsonOfType('file')).id, priv.id);
  lookup(ana, priv.id);
  assert.equal((await ana.jsonOfType('file')).id, priv.id);

  ana.sendLine(JSON.stringify({ type: 'join_room', room: '#ops' }));
  await ana.jsonOfType('room');
  await send(ana, Buffer.from('ops only'), { room: '#ops', name: 'o.txt' });
  const ops = await ana.jsonOfType('file');
  lookup(eve, ops.id, 'e2');
  assert.equal((await errorOf(eve)).code, 'NO_SUCH_FILE');
  eve.sendLine(JSON.stringify({ type: 'join_room', room: '#ops' }));
  await eve.jsonOfType('room');
  lookup(eve, ops.id);
  assert.equal((await eve.jsonOfType('file')).id, ops.id); // a member now, as history would show
});

test('a malformed file_lookup gets BAD_REQUEST and the connection goes on', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  for (const id of ['7', -1, 0, 1.5, null, 2 ** 60]) {
    lookup(ana, id, 'bad');
    const e = await errorOf(ana);
    assert.equal(e.code, 'BAD_REQUEST', JSON.stringify(id));
    assert.equal(e.ref, 'bad');
  }
  ana.sendLine(JSON.stringify({ type: 'file_lookup', ref: 'none' }));
  assert.equal((await errorOf(ana)).code, 'BAD_REQUEST');
  ana.sendLine(JSON.stringify({ type: 'ping', ref: 'p' }));
  assert.equal((await ana.jsonOfType('pong')).ref, 'p');
});

test('papo client: /get ID of a file sent before it joined', async (t) => {
  const papo = await startPapo(t);
  const dir = tempDir(t);
  const file = randomBytes(200_000);
  writeFileSync(join(dir, 'antes.bin'), file);
  const ana = pipeClient(t, papo.port, 'ana');
  await ana.line(/^\*\*\* /);
  ana.send(`/send #geral ${join(dir, 'antes.bin')}`);
  const mine = await ana.line(/you sent antes\.bin .*\[#(\d+) — /);
  const id = /\[#(\d+) — /.exec(mine)?.[1] ?? assert.fail(mine);

  const bob = pipeClient(t, papo.port, 'bob');
  await bob.line(/^\*\*\* /);
  const downloads = join(tempDir(t), 'down');
  bob.send(`/get ${id} ${downloads}`);
  await bob.line(/^saved .*antes\.bin \(200\.0 kB, sha256 ok\)$/);
  assert.deepEqual(readFileSync(join(downloads, 'antes.bin')), file);
});
