import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkOfferFields, cleanFileName } from '../../src/core/files.js';
import { sniffMime } from '../../src/server/files/blob-store.js';
import { contentDisposition, fileRoute, parseOffset, parseRange } from '../../src/server/files/http-rules.js';
import { parseBytes, parsePublicUrl } from '../../src/server/files/options.js';
import { formatBytes } from '../../src/protocol/format-bytes.js';

const TOKEN = 'abcdefghijklmnopqrstuvwx';

test('file names lose paths, device names, bidi and invisible characters', () => {
  assert.equal(cleanFileName('CON.txt'), '_CON.txt');
  assert.equal(cleanFileName('con'), '_con');
  assert.equal(cleanFileName('COM1.tar.gz'), '_COM1.tar.gz');
  assert.equal(cleanFileName('CONSOLE.txt'), 'CONSOLE.txt');
  assert.equal(cleanFileName('a\u202Etxt.exe'), 'atxt.exe');
  assert.equal(cleanFileName('zero\u200Bwidth'), 'zerowidth');
  assert.equal(cleanFileName('C:\\Windows\\evil.dll'), 'C__Windows_evil.dll');
  assert.equal(cleanFileName('e\u0301'), '\u00e9');
  assert.equal(cleanFileName('   '), 'file');
  assert.equal(cleanFileName('.hidden'), 'hidden');
  const long = cleanFileName(`${'a'.repeat(300)}.pdf`);
  assert.equal(Buffer.byteLength(long), 255);
  assert.ok(long.endsWith('.pdf'));
});

test('offer fields: a bad hash is a bad request, a huge name is refused', () => {
  assert.equal(checkOfferFields('a', 'x').ok, false);
  const huge = checkOfferFields('x'.repeat(1025), 'a'.repeat(64));
  assert.ok(!huge.ok && huge.code === 'FILE_NAME_INVALID');
  assert.deepEqual(checkOfferFields('../a', 'a'.repeat(64)), { ok: true, name: '_a' });
});

test('file routes: upload and download paths, and the hostile ones', () => {
  assert.deepEqual(fileRoute(`/u/${TOKEN}`), { kind: 'upload', token: TOKEN });
  assert.deepEqual(fileRoute(`/f/${TOKEN}/a.pdf`), { kind: 'download', token: TOKEN });
  assert.deepEqual(fileRoute(`/f/${TOKEN}`), { kind: 'download', token: TOKEN });
  assert.equal(fileRoute('/app.js'), null);
  for (const bad of [
    `/f/${TOKEN}/a%2fb`,
    `/f/${TOKEN}/..`,
    `/f/${TOKEN}/a/b`,
    `/u/${TOKEN}/`,
    '/u/short',
    `/f/${TOKEN}/`,
  ]) {
    assert.deepEqual(fileRoute(bad), { kind: 'bad' }, bad);
  }
});

test('ranges: one satisfiable range, else invalid', () => {
  assert.equal(parseRange(undefined, 10), null);
  assert.deepEqual(parseRange('bytes=0-4', 10), { start: 0, end: 4 });
  assert.deepEqual(parseRange('bytes=5-', 10), { start: 5, end: 9 });
  assert.deepEqual(parseRange('bytes=5-100', 10), { start: 5, end: 9 });
  assert.deepEqual(parseRange('bytes=-3', 10), { start: 7, end: 9 });
  assert.deepEqual(parseRange('bytes=-30', 10), { start: 0, end: 9 });
  for (const bad of ['bytes=10-', 'bytes=4-2', 'bytes=-', 'bytes=0-1,3-4', 'lines=0-1', 'bytes=-0']) {
    assert.equal(parseRange(bad, 10), 'invalid', bad);
  }
  assert.equal(parseRange('bytes=0-', 0), 'invalid');
});

test('offsets, sizes and URLs as flags and headers give them', () => {
  assert.equal(parseOffset('42'), 42);
  assert.equal(parseOffset('-1'), null);
  assert.equal(parseOffset('1e3'), null);
  assert.equal(parseOffset(undefined), null);
  assert.equal(parseBytes('100M'), 100 * 1024 * 1024);
  assert.equal(parseBytes('2G'), 2 * 1024 ** 3);
  assert.equal(parseBytes('1024'), 1024);
  assert.throws(() => parseBytes('lots'));
  assert.equal(parsePublicUrl('https://chat.example.com/papo/'), 'https://chat.example.com/papo');
  assert.throws(() => parsePublicUrl('ftp://x'));
});

test('Content-Disposition: an ASCII fallback and the exact UTF-8 name', () => {
  assert.equal(
    contentDisposition('férias "1".jpg', false),
    `attachment; filename="f_rias _1_.jpg"; filename*=UTF-8''f%C3%A9rias%20%221%22.jpg`,
  );
  assert.match(contentDisposition('a.png', true), /^inline; /);
});

test('images are told by their first bytes, anything else is octet-stream', () => {
  assert.equal(sniffMime(Buffer.from('89504e470d0a1a0a0000', 'hex')), 'image/png');
  assert.equal(sniffMime(Buffer.from('ffd8ffe0', 'hex')), 'image/jpeg');
  assert.equal(sniffMime(Buffer.from('GIF89a....')), 'image/gif');
  assert.equal(sniffMime(Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1')), 'image/webp');
  assert.equal(
    sniffMime(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg">')),
    'application/octet-stream',
  );
  assert.equal(sniffMime(Buffer.alloc(0)), 'application/octet-stream');
});

test('sizes read as people read them', () => {
  assert.equal(formatBytes(1), '1 byte');
  assert.equal(formatBytes(999), '999 bytes');
  assert.equal(formatBytes(2_100_000), '2.1 MB');
  assert.equal(formatBytes(1_073_741_824), '1.1 GB');
  assert.equal(formatBytes(999_999), '1.0 MB');
});
