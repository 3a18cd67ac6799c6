import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cleanFileName, MAX_NAME_BYTES, numberedName } from '../../src/client/files/file-name.js';

const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}/\\:*?"<>|]/u;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;

// Names built from the pieces hostile names are made of, beside any string at all.
const hostile = fc
  .array(
    fc.constantFrom(
      '..',
      '/',
      '\\',
      '.',
      ' ',
      'CON',
      'nul',
      'a',
      'é',
      '\u202e',
      '\u200b',
      '\u0000',
      '\n',
      'txt',
      '🎉',
      ':',
    ),
    { maxLength: 20 },
  )
  .map((parts) => parts.join(''));
const names = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme', maxLength: 400 }),
  hostile,
);

test('a cleaned name is one safe, non-empty segment of at most 255 bytes', () => {
  fc.assert(
    fc.property(names, (raw) => {
      const name = cleanFileName(raw);
      assert.ok(name.length > 0);
      assert.ok(Buffer.byteLength(name) <= MAX_NAME_BYTES);
      assert.ok(!UNSAFE.test(name), JSON.stringify(name));
      assert.ok(name !== '.' && name !== '..' && !name.startsWith('.'));
      assert.ok(!/[.\s]$/u.test(name));
      assert.ok(!RESERVED.test(name), name);
      assert.ok(name.isWellFormed());
    }),
    { numRuns: 2000 },
  );
});

test('cleaning is idempotent and keeps ordinary names as they are', () => {
  fc.assert(
    fc.property(names, (raw) => {
      const once = cleanFileName(raw);
      assert.equal(cleanFileName(once), once);
    }),
    { numRuns: 2000 },
  );
  for (const ok of ['relatorio.pdf', 'Férias 2026.jpg', 'a (1).tar.gz', '日本語.txt']) {
    assert.equal(cleanFileName(ok), ok);
  }
});

test('hostile names lose what makes them hostile', () => {
  assert.equal(cleanFileName('../../etc/passwd'), '_.._etc_passwd');
  assert.equal(cleanFileName('CON.txt'), '_CON.txt');
  assert.equal(cleanFileName('lpt1'), '_lpt1');
  assert.equal(cleanFileName('invoice\u202Etxt.exe'), 'invoice_txt.exe');
  assert.equal(cleanFileName('..'), 'file');
  assert.equal(cleanFileName(''), 'file');
  assert.equal(cleanFileName('C:\\Windows\\evil.dll'), 'C__Windows_evil.dll');
  const long = `${'é'.repeat(300)}.pdf`;
  const cut = cleanFileName(long);
  assert.ok(cut.endsWith('.pdf') && Buffer.byteLength(cut) <= MAX_NAME_BYTES);
});

test('numbered names keep the extension and the byte limit', () => {
  assert.equal(numberedName('relatorio.pdf', 0), 'relatorio.pdf');
  assert.equal(numberedName('relatorio.pdf', 1), 'relatorio (1).pdf');
  assert.equal(numberedName('README', 2), 'README (2)');
  fc.assert(
    fc.property(names, fc.nat(99999), (raw, n) => {
      assert.ok(Buffer.byteLength(numberedName(cleanFileName(raw), n)) <= MAX_NAME_BYTES);
    }),
  );
});
