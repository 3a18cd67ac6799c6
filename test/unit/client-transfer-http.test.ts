// The client's HTTP transfer code against a tiny local stand-in for the server's file routes,
// to pin resume, Range and progress down; the real server is exercised in
// test/integration/client-files.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { downloadFile } from '../../src/client/files/download.js';
import { uploadFile } from '../../src/client/files/upload.js';
import { tempDir } from '../helpers/temp.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Stand {
  url: string;
  received: Buffer;
  /** Cut the next PATCH (or GET) after this many body bytes. */
  cutAfter: number | null;
  ranges: string[];
  close(): Promise<void>;
}

async function stand(file: Buffer): Promise<Stand> {
  const s: Stand = { url: '', received: Buffer.alloc(0), cutAfter: null, ranges: [], close: async () => {} };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/u/slot' && req.method === 'HEAD') {
      res.writeHead(200, { 'upload-offset': s.received.length, 'upload-length': file.length }).end();
    } else if (req.url === '/u/slot' && req.method === 'PATCH') {
      if (Number(req.headers['upload-offset']) !== s.received.length) return void res.writeHead(409).end();
      const cut = s.cutAfter;
      s.cutAfter = null;
      req.on('data', (chunk: Buffer) => {
        const room = cut === null ? chunk.length : Math.max(0, cut - 0);
        s.received = Buffer.concat([s.received, chunk.subarray(0, Math.min(chunk.length, room))]);
        if (cut !== null && s.received.length >= cut) req.socket.destroy();
      });
      req.on('end', () =>
        res.writeHead(204, { 'upload-offset': s.received.length, 'papo-file-url': `${s.url}/f/x` }).end(),
      );
    } else if (req.url === '/f/x' && req.method === 'GET') {
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      s.ranges.push(req.headers.range ?? '');
      const from = range ? Number(range[1]) : 0;
      const body = file.subarray(from);
      res.writeHead(range ? 206 : 200, {
        'content-length': body.length,
        ...(range ? { 'content-range': `bytes ${from}-${file.length - 1}/${file.length}` } : {}),
      });
      const cut = s.cutAfter;
      s.cutAfter = null;
      if (cut === null) return void res.end(body);
      res.write(body.subarray(0, cut), () => res.socket?.destroy());
    } else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.close = () => new Promise((r) => server.close(() => r()));
  return s;
}

test('an upload cut halfway resumes from the offset HEAD gives, with progress to the end', async (t) => {
  const file = randomBytes(3 * 1024 * 1024 + 17);
  const dir = tempDir(t);
  const path = join(dir, 'big.bin');
  writeFileSync(path, file);
  const s = await stand(file);
  t.after(() => s.close());
  s.cutAfter = 1024 * 1024;
  const seen: number[] = [];
  const result = await uploadFile({
    url: `${s.url}/u/slot`,
    path,
    size: file.length,
    onProgress: (d) => seen.push(d),
  });
  assert.equal(sha(s.received), sha(file));
  assert.equal(result.fileUrl, `${s.url}/f/x`);
  assert.equal(seen.at(-1), file.length);
  assert.ok(
    seen.some((d) => d >= 1024 * 1024 && d < file.length),
    'progress in between',
  );
});

test('a download cut halfway resumes with Range into NAME.part and is renamed when complete', async (t) => {
  const file = randomBytes(2 * 1024 * 1024 + 5);
  const dir = tempDir(t);
  const s = await stand(file);
  t.after(() => s.close());
  s.cutAfter = 700_000;
  const job = { url: `${s.url}/f/x`, name: 'data.bin', size: file.length, sha256: sha(file), dir };
  const result = await downloadFile(job);
  assert.equal(result.path, join(dir, 'data.bin'));
  assert.equal(sha(readFileSync(result.path)), sha(file));
  assert.ok(
    s.ranges.some((r) => /^bytes=\d+-$/.test(r)),
    `resumed with Range: ${s.ranges.join(',')}`,
  );
  assert.deepEqual(readdirSync(dir), ['data.bin']);
  // Again: never overwrites, takes the next free name.
  const again = await downloadFile(job);
  assert.equal(again.path, join(dir, 'data (1).bin'));
});

test('a part left by an earlier run is resumed from its size', async (t) => {
  const file = randomBytes(500_000);
  const dir = tempDir(t);
  writeFileSync(join(dir, 'x.bin.part'), file.subarray(0, 123_456));
  const s = await stand(file);
  t.after(() => s.close());
  const result = await downloadFile({
    url: `${s.url}/f/x`,
    name: 'x.bin',
    size: file.length,
    sha256: sha(file),
    dir,
  });
  assert.equal(result.resumedFrom, 123_456);
  assert.deepEqual(s.ranges, ['bytes=123456-']);
  assert.equal(sha(readFileSync(result.path)), sha(file));
});

test('a hash mismatch keeps nothing and says so', async (t) => {
  const file = randomBytes(100_000);
  const dir = tempDir(t);
  const s = await stand(file);
  t.after(() => s.close());
  await assert.rejects(
    downloadFile({ url: `${s.url}/f/x`, name: 'x.bin', size: file.length, sha256: '0'.repeat(64), dir }),
    /sha256 mismatch/,
  );
  assert.deepEqual(readdirSync(dir), []);
  assert.equal(existsSync(join(dir, 'x.bin')), false);
});
