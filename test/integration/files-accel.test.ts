import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobKey } from '../../src/server/files/blob-store.js';
import { http, send, sha256, startFileChat, type FileChat } from '../helpers/files.js';

const PREFIX = '/_papo_files/';
const DAY_MS = 86_400_000;

/** A chat with one stored file (a hostile name) and one expired; the paths to ask for. */
async function withFiles(t: { after(fn: () => unknown): void }, accel: boolean) {
  let now = Date.UTC(2026, 0, 1);
  const chat: FileChat = await startFileChat(t, {
    fileRate: 0,
    filesMaxDays: 1,
    now: () => now,
    filesAccelRedirect: accel ? PREFIX : null,
  });
  const ana = await chat.bot('ana');
  const old = Buffer.from('expires first\n');
  const gone = (await send(ana, old, { name: 'old.txt' })).answer.headers['papo-file-url'] as string;
  now += 2 * DAY_MS;
  const data = Buffer.from('kept\n'.repeat(100));
  // A name that would be a header, a path and a redirect if it reached one.
  const name = '../../etc/passwd\r\nX-Accel-Redirect: /etc/shadow';
  const url = (await send(ana, data, { name })).answer.headers['papo-file-url'] as string;
  const token = new URL(url).pathname.split('/')[2] as string;
  return { chat, data, url, gone, token };
}

test('with --files-accel-redirect, hostile downloads get the same answer as without, and no redirect', async (t) => {
  const plain = await withFiles(t, false);
  const accel = await withFiles(t, true);
  const cases: Array<[string, (f: typeof plain) => [string, string, Record<string, string>]]> = [
    ['dot-dot path', (f) => [`${f.chat.base}/f/${f.token}/../x`, 'GET', {}]],
    ['encoded slash', (f) => [`${f.chat.base}/f/${f.token}/a%2fb`, 'GET', {}]],
    ['encoded backslash', (f) => [`${f.chat.base}/f/${f.token}/a%5Cb`, 'GET', {}]],
    ['extra segment', (f) => [`${f.chat.base}/f/${f.token}/a/b`, 'GET', {}]],
    ['short token', (f) => [`${f.chat.base}/f/abc/x`, 'GET', {}]],
    ['unknown token', (f) => [`${f.chat.base}/f/${'B'.repeat(24)}/x`, 'GET', {}]],
    ['expired file', (f) => [f.gone, 'GET', {}]],
    ['expired file, HEAD', (f) => [f.gone, 'HEAD', {}]],
    ['POST', (f) => [f.url, 'POST', {}]],
    ['DELETE', (f) => [f.url, 'DELETE', {}]],
    ['backwards range', (f) => [f.url, 'GET', { Range: 'bytes=9-3' }]],
    ['two ranges', (f) => [f.url, 'GET', { Range: 'bytes=0-1,3-4' }]],
    ['range past the end', (f) => [f.url, 'GET', { Range: 'bytes=999999-' }]],
    ['not bytes', (f) => [f.url, 'GET', { Range: 'lines=1-2' }]],
    ['range on HEAD', (f) => [f.url, 'HEAD', { Range: 'bytes=x' }]],
  ];
  for (const [what, make] of cases) {
    const want = await http(...make(plain));
    const got = await http(...make(accel));
    assert.ok(want.status >= 400 && want.status < 500, `${what}: ${want.status}`);
    assert.equal(got.status, want.status, what);
    assert.deepEqual(got.body, want.body, what);
    assert.equal(got.headers['content-range'], want.headers['content-range'], what);
    assert.equal(got.headers['x-accel-redirect'], undefined, what);
  }
});

test('with --files-accel-redirect, the redirect names the stored content only, whatever the name or URL', async (t) => {
  const f = await withFiles(t, true);
  const target = `${PREFIX}${blobKey(sha256(f.data))}`;
  for (const [url, method] of [
    [f.url, 'GET'],
    [f.url, 'HEAD'],
    [`${f.chat.base}/f/${f.token}`, 'GET'],
    [`${f.chat.base}/f/${f.token}/shadow%0d%0aX-Accel-Redirect:%20etc`, 'GET'],
    [`${f.chat.base}/f/${f.token}/x%2ey?inline=1`, 'GET'],
  ] as const) {
    const res = await http(url, method, { Range: 'bytes=0-3' });
    assert.equal(res.status, 200, url);
    assert.equal(res.headers['x-accel-redirect'], target, url);
    assert.equal(res.headers['content-length'], '0');
    assert.equal(res.body.length, 0);
    assert.equal(res.headers['content-range'], undefined);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(
      res.headers['content-disposition'] as string,
      /^attachment; filename="[^"\r\n]*"; filename\*=UTF-8''[^\s]+$/,
    );
  }
});
