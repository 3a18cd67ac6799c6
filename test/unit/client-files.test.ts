import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDownloadDir, userDirsDownload } from '../../src/client/files/download-dir.js';
import { parseFileCommand } from '../../src/client/files/file-command.js';
import { formatDuration } from '../../src/client/files/format-duration.js';
import { formatBytes } from '../../src/protocol/format-bytes.js';
import { parseFileMessage } from '../../src/client/files/messages.js';
import { progressText } from '../../src/client/files/progress.js';
import { fileOfferText } from '../../src/client/files/render-file.js';
import { tempDir } from '../helpers/temp.js';

const SHA = 'ab'.repeat(32);

test('/send and /get are parsed with paths that hold spaces, quotes and ~', () => {
  assert.deepEqual(parseFileCommand('/send bob /tmp/my file.pdf'), {
    kind: 'send',
    target: 'bob',
    path: '/tmp/my file.pdf',
  });
  assert.deepEqual(parseFileCommand("/send #geral '~/a b.txt'"), {
    kind: 'send',
    target: '#geral',
    path: "'~/a b.txt'".slice(1, -1).replace('~', process.env.HOME ?? ''),
  });
  assert.deepEqual(parseFileCommand('/get 12'), { kind: 'get', id: '12', dir: null });
  assert.deepEqual(parseFileCommand('/GET #12 /tmp/x'), { kind: 'get', id: '12', dir: '/tmp/x' });
  assert.deepEqual(parseFileCommand('/send bob'), { kind: 'usage', command: 'send' });
  assert.deepEqual(parseFileCommand('/get'), { kind: 'usage', command: 'get' });
  assert.equal(parseFileCommand('/sender x y'), null);
  assert.equal(parseFileCommand('hello /send'), null);
});

test('the download dir follows XDG_DOWNLOAD_DIR, then user-dirs.dirs, then ~/Downloads', (t) => {
  const home = tempDir(t);
  assert.equal(defaultDownloadDir({ XDG_DOWNLOAD_DIR: '$HOME/Baixados' }, home), join(home, 'Baixados'));
  assert.equal(defaultDownloadDir({}, home), join(home, 'Downloads'));
  mkdirSync(join(home, '.config'));
  writeFileSync(
    join(home, '.config', 'user-dirs.dirs'),
    '# comment\nXDG_DOWNLOAD_DIR="$HOME/Transferências"\n',
  );
  assert.equal(defaultDownloadDir({}, home), join(home, 'Transferências'));
  assert.equal(userDirsDownload('XDG_DOWNLOAD_DIR="$HOME/"\n', home), null);
});

test('sizes, durations and the progress bar read as people expect', () => {
  assert.equal(formatBytes(2_100_000), '2.1 MB');
  assert.equal(formatBytes(999), '999 bytes'); // protocol's rule: the word, as nc users read it
  assert.equal(formatBytes(12_345_678_901), '12.3 GB'); // one decimal at every size
  assert.equal(formatDuration(125), '2:05');
  assert.equal(formatDuration(Infinity), '--:--');
  const p = {
    direction: 'up' as const,
    name: 'a.pdf',
    done: 1_000_000,
    total: 2_000_000,
    startDone: 0,
    startMs: 0,
  };
  assert.equal(progressText(p, 1000), '↑ a.pdf [#####-----] 50% 1.0 MB/2.0 MB 1.0 MB/s ETA 0:01');
});

test('file lines are checked before use, and shown with the id /get takes', () => {
  const file = {
    type: 'file',
    id: 12,
    ts: 1,
    from: 'ana',
    room: '#geral',
    name: 'r.pdf',
    size: 2_100_000,
    mime: 'application/pdf',
    sha256: SHA,
    url: 'http://h/f/t/r.pdf',
  };
  const m = parseFileMessage(JSON.stringify(file));
  assert.ok(m && m.type === 'file');
  assert.equal(fileOfferText(m, 'en', 'bob', '#geral'), 'ana sent r.pdf (2.1 MB) [#12 — /get 12]');
  assert.equal(fileOfferText(m, 'en', 'bob', '#ops'), '[#geral] ana sent r.pdf (2.1 MB) [#12 — /get 12]');
  const hostile = { ...file, name: 'a\u001b[2Jb\u202e.pdf' };
  const h = parseFileMessage(JSON.stringify(hostile));
  assert.ok(h && h.type === 'file');
  assert.ok(!/[\u001b\u202e]/.test(fileOfferText(h, 'en', null, null)));
  for (const bad of [
    { ...file, sha256: 'xyz' },
    { ...file, url: 'javascript:alert(1)' },
    { ...file, size: -1 },
    { ...file, id: '12' },
  ]) {
    assert.equal(parseFileMessage(JSON.stringify(bad)), null);
  }
  assert.deepEqual(
    parseFileMessage('{"type":"upload_slot","ref":"file 1","url":"http://h/u/t","size":3,"offset":0}'),
    {
      type: 'upload_slot',
      ref: 'file 1',
      url: 'http://h/u/t',
      size: 3,
      offset: 0,
    },
  );
});
