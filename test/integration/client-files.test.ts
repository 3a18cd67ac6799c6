import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { LineClient } from '../helpers/line-client.js';
import { tempDir } from '../helpers/temp.js';
import { PtyClient } from './client-pty.js';
import { VirtualScreen } from './client-vt.js';
import { CuttingProxy, pipeClient, startPapo } from './client-files-harness.js';

// Issue #14, the client side: `papo client` processes sending and fetching files through a
// real `papo server` with its web listener.

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const OFFER = (name: string) =>
  new RegExp(`ana sent (you )?${name.replace(/[.()]/g, '\\$&')} \\(.*\\) \\[#(\\d+) — /get \\d+\\]$`);

function idOf(line: string): string {
  return /\[#(\d+) — /.exec(line)?.[1] ?? assert.fail(`no id in ${line}`);
}

test('a file sent by one papo client is fetched by another, intact, never overwriting', async (t) => {
  const papo = await startPapo(t);
  const dir = tempDir(t);
  const file = randomBytes(3 * 1024 * 1024 + 1234);
  writeFileSync(join(dir, 'data.bin'), file);
  const bob = pipeClient(t, papo.port, 'bob');
  await bob.line(/^\*\*\* /); // joined
  const ana = pipeClient(t, papo.port, 'ana');
  await bob.line(/ana/);
  ana.send(`/send #geral ${join(dir, 'data.bin')}`);
  await ana.line(/^sent data\.bin \(3\.1 MB\) to #geral$/);
  const offer = await bob.line(OFFER('data.bin'));
  const id = idOf(offer);
  const downloads = join(tempDir(t), 'down');
  bob.send(`/get ${id} ${downloads}`);
  const saved = await bob.line(/^saved /);
  assert.equal(saved, `saved ${join(downloads, 'data.bin')} (3.1 MB, sha256 ok)`);
  assert.equal(sha(readFileSync(join(downloads, 'data.bin'))), sha(file));
  // Again: `name (1).ext`, the first one untouched.
  bob.send(`/get ${id} ${downloads}`);
  await bob.line(/^saved .*data \(1\)\.bin/);
  assert.deepEqual(readdirSync(downloads).sort(), ['data (1).bin', 'data.bin']);

  // A private file: the recipient is told it is for them.
  writeFileSync(join(dir, 'só pra você.txt'), 'oi bob');
  ana.send(`/send bob ${join(dir, 'só pra você.txt')}`);
  await ana.line(/^sent só pra você\.txt \(6 bytes\) to bob$/);
  const priv = await bob.line(/\[private\] ana sent you só pra você\.txt/);
  bob.send(`/get ${idOf(priv)} ${downloads}`);
  await bob.line(/^saved .*só pra você\.txt \(6 bytes, sha256 ok\)$/);
  assert.equal(readFileSync(join(downloads, 'só pra você.txt'), 'utf8'), 'oi bob');
});

test('an upload and a download cut halfway both resume where they broke', async (t) => {
  const proxy = await new CuttingProxy().listen(t);
  const papo = await startPapo(t, ['--public-url', `http://127.0.0.1:${proxy.port}`]);
  proxy.target = Number(new URL(papo.webUrl).port);
  const dir = tempDir(t);
  const file = randomBytes(12 * 1024 * 1024 + 7);
  writeFileSync(join(dir, 'video.mp4'), file);
  const bob = pipeClient(t, papo.port, 'bob');
  await bob.line(/^\*\*\* /);
  const ana = pipeClient(t, papo.port, 'ana');
  await bob.line(/ana/);

  proxy.cut = { method: 'PATCH', afterBytes: 5 * 1024 * 1024 };
  ana.send(`/send #geral ${join(dir, 'video.mp4')}`);
  await ana.line(/^sent video\.mp4 \(12\.6 MB\) to #geral$/);
  assert.equal(proxy.cuts, 1);
  const patches = proxy.heads.filter((h) => h.startsWith('PATCH '));
  assert.ok(patches.length >= 2, patches.join('\n---\n'));
  const resumedAt = Number(/upload-offset: (\d+)/i.exec(patches.at(-1) ?? '')?.[1]);
  assert.ok(resumedAt > 0, `the second PATCH resumed: ${patches.at(-1)}`);

  const offer = await bob.line(OFFER('video.mp4'));
  proxy.cut = { method: 'GET', afterBytes: 4 * 1024 * 1024 };
  const downloads = tempDir(t);
  bob.send(`/get ${idOf(offer)} ${downloads}`);
  await bob.line(/^saved .*video\.mp4 \(12\.6 MB, sha256 ok\)$/);
  assert.equal(proxy.cuts, 2);
  assert.ok(
    proxy.heads.some((h) => /^GET [^]*\r\nrange: bytes=\d+-/i.test(h)),
    'resumed with Range',
  );
  assert.equal(sha(readFileSync(join(downloads, 'video.mp4'))), sha(file));
  assert.deepEqual(readdirSync(downloads), ['video.mp4']);
});

test('a .part left by an earlier run is resumed, by id or by the URL an nc user sees', async (t) => {
  const papo = await startPapo(t);
  const dir = tempDir(t);
  const file = randomBytes(2 * 1024 * 1024);
  writeFileSync(join(dir, 'fotos.zip'), file);
  const bob = pipeClient(t, papo.port, 'bob');
  await bob.line(/^\*\*\* /);
  const ana = pipeClient(t, papo.port, 'ana');
  await bob.line(/ana/);
  ana.send(`/send bob ${join(dir, 'fotos.zip')}`);
  const offer = await bob.line(OFFER('fotos.zip'));
  const downloads = tempDir(t);
  writeFileSync(join(downloads, 'fotos.zip.part'), file.subarray(0, 1_000_000));
  bob.send(`/get ${idOf(offer)} ${downloads}`);
  await bob.line(/^saved .*fotos\.zip \(2\.1 MB, sha256 ok\)$/);
  await bob.line(/Resuming the download of fotos\.zip from 1\.0 MB/, 'err');
  assert.equal(sha(readFileSync(join(downloads, 'fotos.zip'))), sha(file));

  // Another session, with only the URL (as nc users see it): HEAD tells size and hash.
  const carol = await LineClient.join(papo.port, 'carol');
  t.after(() => carol.destroy());
  ana.send(`/send carol ${join(dir, 'fotos.zip')}`);
  const seen = await carol.lineMatching(/ana sent you fotos\.zip .*: http\S+$/);
  const url = /(http\S+)$/.exec(seen)?.[1] ?? assert.fail(seen);
  const other = tempDir(t);
  writeFileSync(join(other, 'fotos.zip.part'), file.subarray(0, 500_000));
  const dave = pipeClient(t, papo.port, 'dave');
  dave.send(`/get ${url} ${other}`);
  await dave.line(/^saved .*fotos\.zip \(2\.1 MB, sha256 ok\)$/);
  assert.equal(sha(readFileSync(join(other, 'fotos.zip'))), sha(file));
});

test('hostile names are cleaned again on the way to the disk', async (t) => {
  const papo = await startPapo(t);
  const dir = tempDir(t);
  const bob = pipeClient(t, papo.port, 'bob');
  await bob.line(/^\*\*\* /);
  const ana = pipeClient(t, papo.port, 'ana');
  await bob.line(/ana/);
  const downloads = join(tempDir(t), 'in');
  mkdirSync(downloads);
  // Names a Linux file system takes, that must not reach another disk as they are.
  for (const name of ['CON.txt', 'fatura\u202Etxt.exe', '..oculto', 'tab\there.txt']) {
    writeFileSync(join(dir, name), name);
    ana.send(`/send #geral ${join(dir, name)}`);
  }
  const offers: string[] = [];
  while (offers.length < 4) {
    const line = await bob.line(/\[#\d+ — \/get \d+\]$/).catch((err: Error) => {
      throw new Error(`${err.message}\nana: ${ana.err.join('\n')}`);
    });
    bob.out.splice(bob.out.indexOf(line), 1);
    offers.push(line);
  }
  for (const offer of offers) bob.send(`/get ${idOf(offer)} ${downloads}`);
  for (let i = 0; i < 4; i++) {
    const line = await bob.line(/^saved /);
    bob.out.splice(bob.out.indexOf(line), 1);
  }
  const saved = readdirSync(downloads).sort();
  assert.equal(saved.length, 4, saved.join(', '));
  for (const name of saved) {
    assert.ok(!/[\u0000-\u001f\u202e/\\]/.test(name), JSON.stringify(name));
    assert.ok(!name.startsWith('.'), name);
    assert.ok(!/^con(\.|$)/i.test(name), name);
  }
  // Nothing was written outside the chosen directory.
  assert.deepEqual(readdirSync(join(downloads, '..')), ['in']);
});

test('clear errors: no such user, unreadable path, unknown id, files off', async (t) => {
  const papo = await startPapo(t);
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a.txt'), 'a');
  const ana = pipeClient(t, papo.port, 'ana');
  await ana.line(/^\*\*\* /);
  ana.send(`/send nobody ${join(dir, 'a.txt')}`);
  await ana.line(/^papo: sending a\.txt failed: .*nobody/, 'err');
  ana.send(`/send #geral ${join(dir, 'missing.txt')}`);
  await ana.line(/^papo: cannot read .*missing\.txt: ENOENT/, 'err');
  ana.send('/get 999999');
  await ana.line(/^papo: no file #999999: unknown, expired, or not for you/, 'err');
  ana.send('/send bob');
  await ana.line(/^papo: \/send NAME\|#room PATH$/, 'err');

  const off = await startPapo(t, ['--no-files']);
  const bea = pipeClient(t, off.port, 'bea');
  await bea.line(/^\*\*\* /);
  bea.send(`/send #geral ${join(dir, 'a.txt')}`);
  await bea.line(/^papo: sending a\.txt failed: /, 'err');
  bea.child.stdin.end();
  assert.equal(await bea.exited, 1);
});

test('in the terminal the progress bar lives on the status row and never garbles the input', async (t) => {
  const papo = await startPapo(t);
  const dir = tempDir(t);
  writeFileSync(join(dir, 'big.bin'), randomBytes(48 * 1024 * 1024));
  const bob = pipeClient(t, papo.port, 'bob');
  await bob.line(/^\*\*\* /);
  const ana = PtyClient.start([`127.0.0.1:${papo.port}`, '--name', 'ana'], 100, 16);
  t.after(() => ana.child.kill('SIGKILL'));
  await ana.waitFor('ana> ');
  ana.type(`/send #geral ${join(dir, 'big.bin')}\r`);
  ana.type('half typed');
  const bar = await ana.waitFor(
    /[#↑] big\.bin \[[#-]{10}\] \d+% [\d.]+ (?:[kMG]B|bytes)\/50\.3 MB [\d.]+ (?:[kMG]B|bytes)\/s ETA /,
  );
  await ana.waitFor(/sent big\.bin \(50\.3 MB\) to #geral/, bar);
  await bob.line(/ana sent big\.bin \(50\.3 MB\) \[#\d+ — \/get \d+\]$/);
  await ana.waitFor(/you sent big\.bin \(50\.3 MB\)/, bar);
  const screen = new VirtualScreen(100, 16);
  screen.feed(ana.raw);
  const lines = screen.lines();
  assert.equal(lines[screen.row], 'ana> half typed');
  assert.ok(!lines.some((l) => /big\.bin \[/.test(l)), `no bar left behind:\n${lines.join('\n')}`);
  assert.ok(
    lines.some((l) => /^\d\d:\d\d you sent big\.bin \(50\.3 MB\) \[#\d+ — \/get \d+\]$/.test(l)),
    lines.join('\n'),
  );
  ana.type('\x15/quit\r');
  assert.equal(await ana.exitCode(), 0);
});

test('with a chat server that is not papo, /send is refused locally and never sent as a line', async (t) => {
  const lines: string[] = [];
  const server = createServer((socket) => {
    socket.setEncoding('utf8');
    socket.write('Welcome to another chat\n');
    let rest = '';
    socket.on('data', (d: string) => {
      const parts = (rest + d).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
    });
    socket.on('end', () => socket.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const r = await runCli(
    ['client', `127.0.0.1:${port}`, '--name', 'bot'],
    {},
    {
      input: '/send bob /etc/hostname\nhello\n',
      timeoutMs: 20_000,
    },
  );
  assert.match(r.stderr, /files can only be sent through a papo server/);
  assert.deepEqual(lines, ['bot', 'hello']);
  assert.equal(r.code, 1);
});
