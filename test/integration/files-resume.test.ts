import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { http, offer, patch, send, sha256, startFileChat } from '../helpers/files.js';
import { tempDir } from '../helpers/temp.js';

/** Sends the head and `part` of a PATCH whose Content-Length says `whole`, then cuts the connection. */
async function cutPatch(url: string, part: Buffer, whole: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const req = request(url, {
      method: 'PATCH',
      agent: false,
      headers: {
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': '0',
        'Content-Length': String(whole),
      },
    });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.write(part, () => setTimeout(() => req.destroy(), 50));
  });
}

/** Waits until HEAD on `url` says `offset` (the server notices a cut connection shortly). */
async function offsetReaches(url: string, offset: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const head = await http(url, 'HEAD');
    if (head.headers['upload-offset'] === String(offset)) return;
    if (Date.now() > deadline) throw new Error(`offset stays ${String(head.headers['upload-offset'])}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('an upload cut at half resumes with HEAD then PATCH and arrives intact', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const data = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
  const slot = await offer(ana, { name: 'big.bin', size: data.length, sha256: sha256(data) });
  const url = slot.url as string;
  const half = data.length / 2;
  await cutPatch(url, data.subarray(0, half), data.length);
  await offsetReaches(url, half);
  // A PATCH at the wrong offset is refused with the right one.
  const wrong = await patch(url, 0, data.subarray(0, 10));
  assert.equal(wrong.status, 409);
  assert.equal(wrong.headers['upload-offset'], String(half));
  const rest = await patch(url, half, data.subarray(half));
  assert.equal(rest.status, 204);
  const got = await http(rest.headers['papo-file-url'] as string, 'GET');
  assert.equal(sha256(got.body), sha256(data));
});

test('a slot survives a restart: the upload resumes on the new server', async (t) => {
  const dir = tempDir(t);
  const first = await startFileChat(t, {}, {}, dir);
  const ana = await first.bot('ana');
  const data = Buffer.alloc(300_000, 3);
  const slot = await offer(ana, { name: 'r.bin', size: data.length, sha256: sha256(data) });
  const token = (slot.url as string).split('/u/')[1] as string;
  assert.equal((await patch(slot.url as string, 0, data.subarray(0, 100_000))).status, 204);
  await first.stop();

  const second = await startFileChat(t, {}, {}, dir);
  const bia = await second.bot('bia');
  const url = `${second.base}/u/${token}`;
  const head = await http(url, 'HEAD');
  assert.equal(head.headers['upload-offset'], '100000');
  const rest = await patch(url, 100_000, data.subarray(100_000));
  assert.equal(rest.status, 204);
  const event = await bia.jsonOfType('file');
  assert.equal(event.from, 'ana');
  const got = await http(event.url as string, 'GET');
  assert.deepEqual(got.body, data);
  await second.stop();

  // And the file record survives the next restart.
  const third = await startFileChat(t, {}, {}, dir);
  const again = await http((event.url as string).replace(second.base, third.base), 'GET');
  assert.deepEqual(again.body, data);
});

test('downloads honour Range: 206 for a part, 416 for a bad one, curl -C - resumes', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const data = Buffer.alloc(200_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  const { answer } = await send(ana, data, { name: 'r.bin' });
  const url = answer.headers['papo-file-url'] as string;
  const part = await http(url, 'GET', { Range: 'bytes=100-199' });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], `bytes 100-199/${data.length}`);
  assert.deepEqual(part.body, data.subarray(100, 200));
  const tail = await http(url, 'GET', { Range: 'bytes=-10' });
  assert.deepEqual(tail.body, data.subarray(data.length - 10));
  for (const bad of ['bytes=500000-', 'bytes=10-5', 'bytes=0-1,5-6', 'items=0-1', 'bytes=-0', 'bytes=abc']) {
    const r = await http(url, 'GET', { Range: bad });
    assert.equal(r.status, 416, bad);
    assert.equal(r.headers['content-range'], `bytes */${data.length}`);
  }
  const etag = part.headers.etag as string;
  const same = await http(url, 'GET', { Range: 'bytes=100-199', 'If-Range': etag });
  assert.deepEqual([same.status, same.body], [206, data.subarray(100, 200)]);
  for (const other of ['"another"', 'Wed, 21 Oct 2015 07:28:00 GMT']) {
    const whole = await http(url, 'GET', { Range: 'bytes=100-199', 'If-Range': other });
    assert.deepEqual([whole.status, whole.body.length], [200, data.length], other);
  }
  const head = await http(url, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(data.length));
  assert.equal(head.body.length, 0);

  const dir = tempDir(t);
  const out = join(dir, 'r.bin');
  writeFileSync(out, data.subarray(0, 123_456));
  await promisify(execFile)('curl', ['-sS', '-f', '-C', '-', '-o', out, url]);
  assert.equal(sha256(readFileSync(out)), sha256(data));
});

test('twenty uploads at once all arrive intact', async (t) => {
  const chat = await startFileChat(t, { fileRate: 0 });
  const ana = await chat.bot('ana');
  const files = Array.from({ length: 20 }, (_, i) => Buffer.alloc(500_000 + i * 1000, i + 1));
  const slots = [];
  for (const [i, f] of files.entries()) {
    slots.push(await offer(ana, { name: `f${i}.bin`, size: f.length, sha256: sha256(f) }));
  }
  const answers = await Promise.all(slots.map((s, i) => patch(s.url as string, 0, files[i] as Buffer)));
  const got = await Promise.all(answers.map((a) => http(a.headers['papo-file-url'] as string, 'GET')));
  got.forEach((g, i) => assert.equal(sha256(g.body), sha256(files[i] as Buffer), `file ${i}`));
  assert.equal((await chat.files.blobs.blobNames()).length, 20);
  assert.deepEqual(await chat.files.blobs.tmpNames(), []);
});

test('a cancelled upload (DELETE) is gone, its partial bytes with it', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const data = Buffer.alloc(1000, 1);
  const slot = await offer(ana, { name: 'c.bin', size: data.length, sha256: sha256(data) });
  await patch(slot.url as string, 0, data.subarray(0, 500));
  assert.equal((await http(slot.url as string, 'DELETE')).status, 204);
  assert.equal((await http(slot.url as string, 'HEAD')).status, 404);
  assert.deepEqual(await chat.files.blobs.tmpNames(), []);
});
