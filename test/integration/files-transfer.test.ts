import assert from 'node:assert/strict';
import { test } from 'node:test';
import { http, offer, patch, send, sha256, startFileChat } from '../helpers/files.js';

test('a room file is uploaded, announced to the room with a URL, and downloads intact', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const bia = await chat.bot('bia');
  const data = Buffer.from('%PDF-1.4 not really a pdf\n'.repeat(1000));
  const slot = await offer(ana, { name: 'relatorio.pdf', size: data.length, sha256: sha256(data) });
  assert.equal(slot.type, 'upload_slot');
  assert.match(slot.url as string, new RegExp(`^${chat.base}/u/[A-Za-z0-9_-]{22,}$`));
  assert.equal(slot.size, data.length);
  assert.equal(slot.offset, 0);

  const head = await http(slot.url as string, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['upload-offset'], '0');
  assert.equal(head.headers['upload-length'], String(data.length));
  assert.equal(head.headers['tus-resumable'], '1.0.0');
  assert.equal(head.headers['cache-control'], 'no-store');

  const answer = await patch(slot.url as string, 0, data);
  assert.equal(answer.status, 204);
  assert.equal(answer.headers['upload-offset'], String(data.length));
  const url = answer.headers['papo-file-url'] as string;
  assert.match(url, new RegExp(`^${chat.base}/f/[A-Za-z0-9_-]{22,}/relatorio\\.pdf$`));

  for (const c of [ana, bia]) {
    const event = await c.jsonOfType('file');
    assert.equal(event.from, 'ana');
    assert.equal(event.room, '#geral');
    assert.equal(event.name, 'relatorio.pdf');
    assert.equal(event.size, data.length);
    assert.equal(event.mime, 'application/octet-stream');
    assert.equal(event.sha256, sha256(data));
    assert.equal(event.url, url);
    assert.equal(typeof event.id, 'number');
  }

  const got = await http(url, 'GET');
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, data);
  assert.equal(got.headers['content-type'], 'application/octet-stream');
  assert.equal(
    got.headers['content-disposition'],
    `attachment; filename="relatorio.pdf"; filename*=UTF-8''relatorio.pdf`,
  );
  assert.equal(got.headers['x-content-type-options'], 'nosniff');
  assert.equal(got.headers['content-security-policy'], "sandbox; default-src 'none'");
  assert.equal(got.headers['accept-ranges'], 'bytes');
  assert.equal(got.headers.etag, `"${sha256(data)}"`);

  // The slot is spent: HEAD on it is 404 now.
  assert.equal((await http(slot.url as string, 'HEAD')).status, 404);
});

test('a private file reaches only its recipient and its sender', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const bob = await chat.bot('bob');
  const eve = await chat.bot('eve');
  const data = Buffer.from('secret');
  const { answer } = await send(ana, data, { to: 'bob', name: 'segredo.txt' });
  assert.equal(answer.status, 204);
  for (const c of [ana, bob]) {
    const event = await c.jsonOfType('file');
    assert.equal(event.to, 'bob');
    assert.equal(event.room, undefined);
    assert.equal(event.url, answer.headers['papo-file-url']);
  }
  // eve is told nothing: a message sent after the file is the next thing she sees.
  ana.sendLine(JSON.stringify({ type: 'say', text: 'done' }));
  const next = await eve.jsonOfType('message');
  assert.equal(next.text, 'done');
  assert.ok(!eve.pending().some((l) => l.includes('"file"')));
});

test('a plain nc user sees the offer line with a URL it can fetch', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const zeca = await chat.join('zeca');
  const data = Buffer.alloc(2_100_000, 7);
  const { answer } = await send(ana, data, { name: 'relatorio.pdf' });
  assert.equal(answer.status, 204);
  const line = await zeca.lineMatching(/^\*\*\* ana sent /);
  const url = answer.headers['papo-file-url'] as string;
  assert.equal(line, `*** ana sent relatorio.pdf (2.1 MB, sha256 ${sha256(data).slice(0, 8)}…): ${url}`);
  const got = await http(line.slice(line.lastIndexOf(': ') + 2), 'GET');
  assert.equal(sha256(got.body), sha256(data));

  // A private one to the plain user says so.
  const { answer: second } = await send(ana, Buffer.from('oi'), { name: 'oi.txt', to: 'zeca' });
  const mine = await zeca.lineMatching(/^\*\*\* ana sent you /);
  assert.ok(mine.endsWith(`: ${second.headers['papo-file-url'] as string}`));
});

test('a room file of another room carries the room tag for plain users', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const zeca = await chat.join('zeca');
  zeca.sendLine('/join #dev');
  ana.sendLine(JSON.stringify({ type: 'join_room', room: '#dev' }));
  await ana.jsonOfType('room');
  zeca.sendLine('/join #geral');
  await zeca.lineMatching(/#geral/);
  await send(ana, Buffer.from('x'), { room: '#dev', name: 'x.txt' });
  const line = await zeca.lineMatching(/sent x\.txt/);
  assert.match(line, /^\*\*\* \[#dev\] ana sent x\.txt/);
});

test('a hash mismatch is refused with 422 and the slot is discarded', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const data = Buffer.from('the real bytes');
  const slot = await offer(ana, { name: 'a.txt', size: data.length, sha256: sha256('other bytes') });
  const answer = await patch(slot.url as string, 0, data);
  assert.equal(answer.status, 422);
  assert.equal(answer.body.toString().trim(), 'sha256 mismatch');
  assert.equal((await http(slot.url as string, 'HEAD')).status, 404);
  assert.deepEqual(await chat.files.blobs.tmpNames(), []);
  assert.deepEqual(await chat.files.blobs.blobNames(), []);
});

test('offers are checked: too big, bad hash, unknown user, room not joined, rate, files off', async (t) => {
  const chat = await startFileChat(t, { maxFileSize: 1000, fileRate: 3 });
  const ana = await chat.bot('ana');
  const h = sha256('x');
  const big = await offer(ana, { name: 'a', size: 1001, sha256: h });
  assert.equal(big.code, 'FILE_TOO_BIG');
  assert.match(big.message as string, /1000/);
  assert.equal((await offer(ana, { name: 'a', size: 1, sha256: 'ABC' })).code, 'BAD_REQUEST');
  assert.equal((await offer(ana, { name: 'a', size: -1, sha256: h })).code, 'BAD_REQUEST');
  assert.equal((await offer(ana, { name: 'a', size: 1, sha256: h, to: 'nobody' })).code, 'NO_SUCH_USER');
  assert.equal((await offer(ana, { name: 'a', size: 1, sha256: h, room: '#nope' })).code, 'NO_SUCH_ROOM');
  assert.equal((await offer(ana, { name: 'x'.repeat(2000), size: 1, sha256: h })).code, 'FILE_NAME_INVALID');
  for (let i = 0; i < 3; i++)
    assert.equal((await offer(ana, { name: 'a', size: 1, sha256: h })).type, 'upload_slot');
  const rate = await offer(ana, { name: 'a', size: 1, sha256: h });
  assert.equal(rate.code, 'FILE_RATE');
});

test('without file transfer an offer gets FILES_OFF', async (t) => {
  const { serveChat } = await import('../helpers/server.js');
  const chat = await serveChat(t);
  const { c } = await chat.bot('ana');
  const answer = await offer(c, { name: 'a', size: 1, sha256: sha256('x') });
  assert.equal(answer.type, 'error');
  assert.equal(answer.code, 'FILES_OFF');
});

test('images are recognised by their bytes, and ?inline=1 shows them inline, still sandboxed', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.alloc(100),
  ]);
  const { answer } = await send(ana, png, { name: 'photo.txt' });
  const event = await ana.jsonOfType('file');
  assert.equal(event.mime, 'image/png');
  const url = answer.headers['papo-file-url'] as string;
  const inline = await http(`${url}?inline=1`, 'GET');
  assert.equal(inline.headers['content-type'], 'image/png');
  assert.match(inline.headers['content-disposition'] as string, /^inline; /);
  assert.equal(inline.headers['content-security-policy'], "sandbox; default-src 'none'");
  // An HTML file stays an attachment of octet-stream, inline asked or not.
  const { answer: html } = await send(ana, Buffer.from('<script>alert(1)</script>'), { name: 'x.html' });
  const got = await http(`${html.headers['papo-file-url'] as string}?inline=1`, 'GET');
  assert.equal(got.headers['content-type'], 'application/octet-stream');
  assert.match(got.headers['content-disposition'] as string, /^attachment; /);
});

test('the same content twice is stored once, and both URLs work', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const data = Buffer.from('same bytes');
  const one = await send(ana, data, { name: 'one.txt' });
  const two = await send(ana, data, { name: 'two.txt' });
  assert.notEqual(one.answer.headers['papo-file-url'], two.answer.headers['papo-file-url']);
  assert.deepEqual(await chat.files.blobs.blobNames(), [sha256(data)]);
  for (const a of [one, two]) {
    assert.deepEqual((await http(a.answer.headers['papo-file-url'] as string, 'GET')).body, data);
  }
});

test('an empty file can be sent', async (t) => {
  const chat = await startFileChat(t);
  const ana = await chat.bot('ana');
  const { answer } = await send(ana, Buffer.alloc(0), { name: 'empty' });
  assert.equal(answer.status, 204);
  const got = await http(answer.headers['papo-file-url'] as string, 'GET');
  assert.equal(got.status, 200);
  assert.equal(got.body.length, 0);
});

test('--public-url is the base of slot and download URLs', async (t) => {
  const chat = await startFileChat(t, { publicUrl: 'https://chat.example.com/papo' });
  const ana = await chat.bot('ana');
  const slot = await offer(ana, { name: 'a.txt', size: 1, sha256: sha256('x') });
  assert.match(slot.url as string, /^https:\/\/chat\.example\.com\/papo\/u\/[\w-]{22,}$/);
  const local = (slot.url as string).replace('https://chat.example.com/papo', chat.base);
  const answer = await patch(local, 0, Buffer.from('x'));
  assert.match(answer.headers['papo-file-url'] as string, /^https:\/\/chat\.example\.com\/papo\/f\//);
});
