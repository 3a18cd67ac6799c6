import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { startNginx, type Nginx } from '../../src/bench/nginx.js';
import { freePort } from '../../src/bench/ports.js';
import { downloadFile } from '../../src/client/files/download.js';
import { blobKey } from '../../src/server/files/blob-store.js';
import { http, offer, patch, sha256, startFileChat, type FileChat } from '../helpers/files.js';
import { tempDir } from '../helpers/temp.js';

const NGINX = '/usr/sbin/nginx';
const CURL = '/usr/bin/curl';
const SKIP = !existsSync(NGINX) && `no nginx at ${NGINX} (Debian: apt-get install nginx)`;
const SITE = fileURLToPath(new URL('../../deploy/nginx.conf', import.meta.url));
const PREFIX = '/_papo_files/';

/** deploy/nginx.conf as shipped, with its EDIT values pointed at this test's papo and ports. */
function site(listen: number, papoPort: number, dataDir: string): string {
  let text = readFileSync(SITE, 'utf8');
  const edits: Array<[string, string]> = [
    ['listen 80;', `listen 127.0.0.1:${listen};`],
    ['server 127.0.0.1:8080;', `server 127.0.0.1:${papoPort};`],
    ['alias /var/lib/papo/files/blobs/;', `alias ${dataDir}/files/blobs/;`],
  ];
  for (const [from, to] of edits) {
    assert.ok(text.includes(from), `deploy/nginx.conf no longer has "${from}"`);
    text = text.replace(from, to);
  }
  return text;
}

interface Behind {
  chat: FileChat;
  nginx: Nginx;
  /** `http://127.0.0.1:PORT` of nginx. */
  front: string;
}

/** papo with `--files-accel-redirect` behind a real nginx configured by deploy/nginx.conf. */
async function behindNginx(t: { after(fn: () => unknown): void }): Promise<Behind> {
  const listen = await freePort();
  const front = `http://127.0.0.1:${listen}`;
  const chat = await startFileChat(t, { publicUrl: front, filesAccelRedirect: PREFIX });
  // As SERVER.md, "Behind nginx", says: the data directory is traversable by papo's group.
  chmodSync(chat.dataDir, 0o710);
  const dir = tempDir(t, 'papo-nginx-');
  chmodSync(dir, 0o755);
  const nginx = await startNginx(NGINX, dir, () => site(listen, chat.webPort, chat.dataDir), listen);
  t.after(() => nginx.stop());
  return { chat, nginx, front };
}

/** Offers `data` as `name` and uploads it through `front`; returns the download URL. */
async function upload(chat: FileChat, from: string, data: Buffer, fields: Record<string, unknown>) {
  const c = await chat.bot(from);
  const slot = await offer(c, { size: data.length, sha256: sha256(data), ...fields });
  assert.equal(slot.type, 'upload_slot', JSON.stringify(slot));
  const answer = await patch(slot.url as string, 0, data);
  assert.equal(answer.status, 204, answer.body.toString());
  return { c, url: answer.headers['papo-file-url'] as string };
}

test(
  'behind nginx, papo checks a download and nginx sends its bytes, whole, by range and resumed',
  { skip: SKIP, timeout: 30_000 },
  async (t) => {
    const { chat, nginx, front } = await behindNginx(t);
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const name = 'relatório final.bin';
    const { url } = await upload(chat, 'ana', data, { name });
    assert.ok(url.startsWith(`${front}/f/`), url);

    const got = await http(url, 'GET');
    assert.equal(got.status, 200, readFileSync(nginx.errorLog, 'utf8'));
    assert.equal(sha256(got.body), sha256(data));
    const h = got.headers;
    assert.equal(h['content-length'], String(data.length));
    assert.equal(h['content-type'], 'application/octet-stream');
    assert.equal(
      h['content-disposition'],
      `attachment; filename="relat_rio final.bin"; filename*=UTF-8''relat%C3%B3rio%20final.bin`,
    );
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.equal(h['content-security-policy'], "sandbox; default-src 'none'");
    assert.equal(h['referrer-policy'], 'no-referrer');
    assert.equal(h['cross-origin-resource-policy'], 'same-origin');
    assert.equal(h['cache-control'], 'private, max-age=3600');
    assert.equal(h['accept-ranges'], 'bytes');
    assert.equal(h.etag, `"${sha256(data)}"`);
    assert.equal(h['last-modified'], undefined);
    assert.equal(h['x-accel-redirect'], undefined);

    const part = await http(url, 'GET', { Range: 'bytes=100-199' });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 100-199/${data.length}`);
    assert.deepEqual(part.body, data.subarray(100, 200));
    const tail = await http(url, 'GET', { Range: 'bytes=-10' });
    assert.equal(tail.status, 206);
    assert.deepEqual(tail.body, data.subarray(data.length - 10));

    // A resume that names the content (If-Range with papo's ETag) gets the range; another, it all.
    const same = await http(url, 'GET', { Range: 'bytes=0-9', 'If-Range': h.etag as string });
    assert.equal(same.status, 206);
    assert.deepEqual(same.body, data.subarray(0, 10));
    const other = await http(url, 'GET', { Range: 'bytes=0-9', 'If-Range': '"another"' });
    assert.equal(other.status, 200);
    assert.equal(other.body.length, data.length);

    const head = await http(url, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(data.length));
    assert.equal(head.headers['content-disposition'], h['content-disposition']);
    assert.equal(head.body.length, 0);

    // papo's client resumes a broken download from its .part with Range, through nginx.
    const dir = tempDir(t);
    writeFileSync(join(dir, `${name}.part`), data.subarray(0, 1_000_000));
    const done = await downloadFile({ url, name, size: data.length, sha256: sha256(data), dir });
    assert.equal(done.resumedFrom, 1_000_000);
    assert.equal(sha256(readFileSync(done.path)), sha256(data));

    // And `curl -C -` resumes the same way.
    if (existsSync(CURL)) {
      const partial = join(dir, 'curl.part');
      writeFileSync(partial, data.subarray(0, 123_456));
      await promisify(execFile)(CURL, ['-sS', '-f', '-C', '-', '-o', partial, url]);
      assert.equal(sha256(readFileSync(partial)), sha256(data));
    }

    // papo itself sent no byte of the file: its answer is the redirect, empty.
    const direct = await http(url.replace(front, chat.base), 'GET');
    assert.equal(direct.status, 200);
    assert.equal(direct.headers['x-accel-redirect'], `${PREFIX}${blobKey(sha256(data))}`);
    assert.equal(direct.headers['content-length'], '0');
    assert.equal(direct.body.length, 0);
    assert.equal(direct.headers['content-disposition'], h['content-disposition']);

    // The blobs are the proxy's to read, not to list; the tokens stay papo's.
    assert.equal(statSync(join(chat.dataDir, 'files', blobKey(sha256(data)))).mode & 0o777, 0o640);
    assert.equal(statSync(join(chat.dataDir, 'files', 'blobs')).mode & 0o777, 0o710);
    assert.equal(statSync(join(chat.dataDir, 'files', 'files.db')).mode & 0o777, 0o600);
    assert.equal(statSync(join(chat.dataDir, 'files', 'tmp')).mode & 0o777, 0o700);
  },
);

test(
  'behind nginx, the blobs cannot be fetched around papo, and a blob gone after the check is a 404',
  { skip: SKIP, timeout: 30_000 },
  async (t) => {
    const { chat, front } = await behindNginx(t);
    await chat.bot('bia');
    const cat = await chat.bot('cat');
    const secret = Buffer.from('for bia only\n'.repeat(50));
    const { c: ana, url } = await upload(chat, 'ana', secret, { name: 'secret.txt', to: 'bia' });
    const event = await ana.jsonOfType('file');

    // The internal location, asked from outside, even by one who knows the content's hash.
    const internal = await http(`${front}${PREFIX}${blobKey(sha256(secret))}`, 'GET');
    assert.equal(internal.status, 404);
    assert.ok(!internal.body.includes(secret));
    for (const path of [`${PREFIX}`, `${PREFIX}blobs/`, `${PREFIX}files.db`, `${PREFIX}blobs/../files.db`]) {
      const res = await http(`${front}${path}`, 'GET');
      assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
    }
    // Cat, not the recipient, cannot have the private file's event (nor its URL).
    cat.sendLine(JSON.stringify({ type: 'file_lookup', id: event.id, ref: 'x' }));
    assert.equal((await cat.jsonOfType('error')).code, 'NO_SUCH_FILE');
    // A token not papo's: papo's 404, through nginx too.
    const wrong = `${front}/f/${'A'.repeat(24)}/secret.txt`;
    assert.equal((await http(wrong, 'GET')).status, 404);

    // papo checked, then the blob went (expired or evicted) before nginx read it: 404.
    rmSync(join(chat.dataDir, 'files', blobKey(sha256(secret))));
    const gone = await http(url, 'GET');
    assert.equal(gone.status, 404);
    assert.ok(!gone.body.includes(secret));
  },
);

test(
  'behind nginx, the browser UI and its WebSocket pass through',
  { skip: SKIP, timeout: 30_000 },
  async (t) => {
    const { front } = await behindNginx(t);
    const page = await http(`${front}/`, 'GET');
    assert.equal(page.status, 200);
    const ws = new WebSocket(`${front.replace('http', 'ws')}/ws`, { origin: front });
    t.after(() => ws.terminate());
    const lines: string[] = [];
    const welcome = new Promise<void>((resolve, reject) => {
      ws.on('message', (m: Buffer) => {
        lines.push(m.toString());
        if (m.toString().includes('"welcome"')) resolve();
      });
      ws.once('error', reject);
    });
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    ws.send(JSON.stringify({ type: 'hello', version: 2, name: 'web' }));
    await welcome;
  },
);
