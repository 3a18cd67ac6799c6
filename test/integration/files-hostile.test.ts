import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { symlinkSync } from 'node:fs';
import { test } from 'node:test';
import { http, offer, patch, send, sha256, startFileChat } from '../helpers/files.js';
import { rawRequest } from '../helpers/web.js';

/** A raw HTTP connection whose answer is collected as it comes. */
async function rawSocket(
  port: number,
): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  await once(socket, 'connect');
  let data = '';
  socket.setEncoding('latin1');
  socket.on('data', (c: string) => (data += c));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => data, closed };
}

async function until(
  test: () => boolean,
  what: string,
  ms = 5000,
  poll: () => Promise<void> = async () => {},
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    await poll();
    if (test()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a body declared past the size is refused with 413 before it is read', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const slot = await offer(ana, { name: 'a.bin', size: 1000, sha256: sha256('x') });
  const path = new URL(slot.url as string).pathname;
  const { socket, received, closed } = await rawSocket(chat.webPort);
  socket.write(
    `PATCH ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/offset+octet-stream\r\n` +
      `Upload-Offset: 0\r\nContent-Length: 1073741824\r\n\r\n`,
  );
  socket.write(Buffer.alloc(64 * 1024));
  // The answer comes while the client is still sending (it has sent 64 KiB of 1 GiB).
  await until(() => received().includes('\r\n\r\n'), 'the answer');
  assert.match(received(), /^HTTP\/1\.1 413 /);
  assert.match(received(), /connection: close/i);
  await closed;
  const head = await http(slot.url as string, 'HEAD');
  assert.equal(head.headers['upload-offset'], '0');
});

test('a chunked body that runs past the size is refused and none of it kept', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const slot = await offer(ana, { name: 'a.bin', size: 100, sha256: sha256('x') });
  const path = new URL(slot.url as string).pathname;
  const chunk = Buffer.alloc(150, 1);
  const answer = await rawRequest(
    chat.webPort,
    Buffer.concat([
      Buffer.from(
        `PATCH ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/offset+octet-stream\r\n` +
          `Upload-Offset: 0\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n`,
      ),
      chunk,
      Buffer.from('\r\n0\r\n\r\n'),
    ]),
  );
  assert.equal(answer.status, 413);
  assert.equal((await http(slot.url as string, 'HEAD')).headers['upload-offset'], '0');
});

test('PATCHes with a wrong content type, offset or method are refused and change nothing', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const data = Buffer.alloc(100, 9);
  const slot = await offer(ana, { name: 'a.bin', size: 100, sha256: sha256(data) });
  const url = slot.url as string;
  const wrongType = await http(url, 'PATCH', { 'Upload-Offset': '0', 'Content-Type': 'text/plain' }, data);
  assert.equal(wrongType.status, 415);
  const noOffset = await http(url, 'PATCH', { 'Content-Type': 'application/offset+octet-stream' }, data);
  assert.equal(noOffset.status, 400);
  const badOffset = await http(
    url,
    'PATCH',
    { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '-5' },
    data,
  );
  assert.equal(badOffset.status, 400);
  assert.equal((await http(url, 'POST')).status, 405);
  assert.equal((await http(url, 'HEAD')).headers['upload-offset'], '0');
});

test('an upload that stops sending is cut after the idle limit and keeps what arrived', async (t) => {
  const chat = await startFileChat(t, { uploadIdleMs: 300 });
  const ana = await chat.bot('ana');
  const data = Buffer.alloc(1000, 5);
  const slot = await offer(ana, { name: 'slow.bin', size: 1000, sha256: sha256(data) });
  const path = new URL(slot.url as string).pathname;
  const { socket, closed } = await rawSocket(chat.webPort);
  socket.write(
    `PATCH ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/offset+octet-stream\r\n` +
      `Upload-Offset: 0\r\nContent-Length: 1000\r\n\r\n`,
  );
  socket.write(data.subarray(0, 400));
  await closed; // the server cut it: nothing came for 300 ms
  // The server notices the cut, fsyncs what arrived, and HEAD tells it.
  let offset: unknown;
  await until(
    () => offset === '400',
    'offset 400',
    5000,
    async () => {
      offset = (await http(slot.url as string, 'HEAD')).headers['upload-offset'];
    },
  );
  const rest = await patch(slot.url as string, 400, data.subarray(400));
  assert.equal(rest.status, 204);
});

test('hostile paths get 4xx and never reach the disk', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const { answer } = await send(ana, Buffer.from('hello'), { name: 'a.txt' });
  const url = new URL(answer.headers['papo-file-url'] as string);
  const token = url.pathname.split('/')[2] as string;
  for (const path of [
    `/f/${token}/..%2F..%2Fetc%2Fpasswd`,
    `/f/${token}/a%2Fb`,
    `/f/${token}/a%5Cb`,
    `/f/${token}/../../etc/passwd`,
    `/f/${token}/a/b`,
    `/f/../u/${token}`,
    '/f/short/a.txt',
    `/u/${token}/extra`,
    '/u/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  ]) {
    const r = await rawRequest(chat.webPort, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status}`);
  }
  // An unknown token of the right shape is 404; the real one still works.
  assert.equal((await http(`${url.origin}/f/${'A'.repeat(24)}/a.txt`, 'GET')).status, 404);
  assert.equal((await http(`${url.origin}/u/${'A'.repeat(24)}`, 'HEAD')).status, 404);
  assert.equal((await http(`${url.origin}/f/${token}`, 'GET')).status, 200);
  assert.equal((await http(url.href, 'DELETE')).status, 405);
});

test('hostile file names are cleaned before anyone sees them', async (t) => {
  const chat = await startFileChat(t, { fileRate: 0 });
  const ana = await chat.bot('ana');
  const cases: Array<[string, (name: string) => void]> = [
    [
      '../../etc/passwd',
      (n) => {
        assert.doesNotMatch(n, /[/\\]|\.\.|^\./);
        assert.ok(n.endsWith('etc_passwd'), n);
      },
    ],
    ['CON.txt', (n) => assert.equal(n, '_CON.txt')],
    ['lpt1', (n) => assert.equal(n, '_lpt1')],
    ['invoice\u202Egpj.exe', (n) => assert.equal(n, 'invoicegpj.exe')],
    ['', (n) => assert.equal(n, 'file')],
    ['\u200B\u0000..', (n) => assert.equal(n, 'file')],
    [
      `${'é'.repeat(150)}.txt`,
      (n) => {
        assert.ok(Buffer.byteLength(n) <= 255, `${Buffer.byteLength(n)} bytes`);
        assert.ok(n.endsWith('.txt'));
      },
    ],
  ];
  for (const [raw, check] of cases) {
    const data = Buffer.from(`content of ${raw}`);
    const { answer } = await send(ana, data, { name: raw });
    assert.equal(answer.status, 204, raw);
    const event = await ana.jsonOfType('file');
    check(event.name as string);
    const got = await http(event.url as string, 'GET');
    const disposition = got.headers['content-disposition'] as string;
    assert.doesNotMatch(disposition, /[\u0000-\u001f\u007f-\uffff]/, 'the header is ASCII');
    assert.ok(disposition.includes(`filename*=UTF-8''${encodeURIComponent(event.name as string)}`));
  }
});

test('a file past --files-max-bytes pushes the oldest out; expired files are gone', async (t) => {
  let now = Date.now();
  const chat = await startFileChat(t, { filesMaxBytes: 2500, filesMaxDays: 1, fileRate: 0, now: () => now });
  const ana = await chat.bot('ana');
  const urls: string[] = [];
  for (let i = 0; i < 3; i++) {
    now += 1000;
    const { answer } = await send(ana, Buffer.alloc(1000, i + 1), { name: `${i}.bin` });
    urls.push(answer.headers['papo-file-url'] as string);
  }
  assert.equal((await http(urls[0] as string, 'GET')).status, 404);
  assert.equal((await http(urls[1] as string, 'GET')).status, 200);
  assert.equal((await chat.files.blobs.blobNames()).length, 2);
  now += 86_400_000 + 5000;
  assert.equal((await http(urls[2] as string, 'GET')).status, 404);
  await chat.files.sweep();
  assert.equal((await chat.files.blobs.blobNames()).length, 0);
});

test('a full disk answers the uploader 507 and breaks nothing else', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const data = Buffer.alloc(10_000, 4);
  const slot = await offer(ana, { name: 'full.bin', size: data.length, sha256: sha256(data) });
  const token = (slot.url as string).split('/u/')[1] as string;
  // The slot's partial file is made /dev/full: every write to it fails with ENOSPC.
  symlinkSync('/dev/full', chat.files.blobs.tmpPath(token));
  const answer = await patch(slot.url as string, 0, data);
  assert.equal(answer.status, 507);
  assert.match(answer.body.toString(), /disk is full/);
  assert.equal((await http(slot.url as string, 'HEAD')).headers['upload-offset'], '0');
  // Other uploads and the chat go on.
  const { answer: other } = await send(ana, Buffer.from('fine'), { name: 'ok.txt' });
  assert.equal(other.status, 204);
  ana.sendLine(JSON.stringify({ type: 'say', text: 'still here', ref: 'z' }));
  assert.equal((await ana.jsonOfType('ack')).ref, 'z');
});
