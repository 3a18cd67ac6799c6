import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cleanFileName, MAX_FILE_NAME_BYTES } from '../../src/core/files.js';
import { contentDisposition, parseRange } from '../../src/server/files/http-rules.js';

const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800/\\:*?"<>|]/u;
const RESERVED = /^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$/i;

/** Strings rich in what file names attack with: separators, dots, bidi, invisible, device names. */
const hostileName = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc
    .array(
      fc.constantFrom(
        '..',
        '/',
        '\\',
        '.',
        ' ',
        'CON',
        'nul',
        'com1',
        'LPT9',
        '.txt',
        'é',
        'e\u0301',
        '\u202E',
        '\u200B',
        '\u2066',
        '\uFEFF',
        '\u0000',
        '\n',
        '\uD800',
        '日本',
        '😀',
        'a',
        '%2F',
        ':',
        '\uE000',
        '\u2800',
        '\u3000',
        'COM\u00B9',
      ),
      { maxLength: 120 },
    )
    .map((parts) => parts.join('')),
);

test('a cleaned file name is always safe', () => {
  fc.assert(
    fc.property(hostileName, (raw) => {
      const name = cleanFileName(raw);
      assert.ok(name.length > 0, 'never empty');
      assert.ok(Buffer.byteLength(name, 'utf8') <= MAX_FILE_NAME_BYTES, 'at most 255 bytes');
      assert.doesNotMatch(name, UNSAFE);
      assert.ok(!name.includes('..'), 'no ..');
      assert.doesNotMatch(name, /\s\s/u, 'no run of white space');
      assert.doesNotMatch(name, /^[\s.]|[\s.]$/u, 'no leading or trailing dot or space');
      assert.doesNotMatch(name, RESERVED);
      assert.equal(name, name.normalize('NFC'));
      assert.ok(name.isWellFormed());
    }),
    { numRuns: 2000 },
  );
});

test('cleaning a file name is idempotent and keeps ordinary names as they are', () => {
  fc.assert(
    fc.property(hostileName, (raw) => {
      const once = cleanFileName(raw);
      assert.equal(cleanFileName(once), once);
    }),
    { numRuns: 2000 },
  );
  for (const ok of [
    'relatorio.pdf',
    'Foto de férias 2026.jpg',
    '日本語.txt',
    'a-b_c (1).tar.gz',
    '.'.concat('x'),
  ]) {
    if (ok.startsWith('.')) continue;
    assert.equal(cleanFileName(ok), ok);
  }
});

test('Content-Disposition is ASCII and carries the exact name in filename*', () => {
  fc.assert(
    fc.property(hostileName, fc.boolean(), (raw, inline) => {
      const name = cleanFileName(raw);
      const header = contentDisposition(name, inline);
      assert.doesNotMatch(header, /[^\x20-\x7e]/);
      const star = /filename\*=UTF-8''(.*)$/.exec(header)?.[1] ?? '';
      assert.equal(decodeURIComponent(star), name);
      const plain = /filename="([^"]*)"/.exec(header)?.[1];
      assert.ok(plain !== undefined && !plain.includes('\\'));
    }),
  );
});

test('a parsed range always lies inside the file', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `bytes=${a}-${b}`),
        fc.nat().map((a) => `bytes=${a}-`),
        fc.nat().map((n) => `bytes=-${n}`),
      ),
      fc.nat({ max: 1 << 30 }),
      (header, size) => {
        const r = parseRange(header, size);
        if (r === null || r === 'invalid') return;
        assert.ok(r.start >= 0 && r.start <= r.end && r.end < size);
      },
    ),
  );
});
