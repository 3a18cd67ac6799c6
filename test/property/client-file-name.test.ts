import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cleanFileName, MAX_FILE_NAME_BYTES } from '../../src/core/files.js';
import { numberedName } from '../../src/client/files/file-name.js';

// The client cleans names with core's cleanFileName (test/property/files-names.test.ts);
// here: the names it saves under when a name is taken.
const names = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme', maxLength: 400 }));

test('numbered names keep the extension and the byte limit', () => {
  assert.equal(numberedName('relatorio.pdf', 0), 'relatorio.pdf');
  assert.equal(numberedName('relatorio.pdf', 1), 'relatorio (1).pdf');
  assert.equal(numberedName('README', 2), 'README (2)');
  fc.assert(
    fc.property(names, fc.nat(99999), (raw, n) => {
      const numbered = numberedName(cleanFileName(raw), n);
      assert.ok(Buffer.byteLength(numbered) <= MAX_FILE_NAME_BYTES);
      assert.equal(cleanFileName(numbered), numbered, 'still a clean name');
    }),
  );
});

test('the names the client once cleaned by its own rules now follow core’s', () => {
  // Core's rule won: invisible characters are removed, not turned into `_`, and `..` becomes
  // `.`, so the name saved is the name the server announced (its cleaner is the same function).
  assert.equal(cleanFileName('../../etc/passwd'), '_._etc_passwd'); // was '_.._etc_passwd'
  assert.equal(cleanFileName('invoice\u202Etxt.exe'), 'invoicetxt.exe'); // was 'invoice_txt.exe'
  // What the client's rules added to core's: private use and the braille blank go, runs of white
  // space read as one space, and COM0, LPT0 and the superscript-digit device names are reserved.
  assert.equal(cleanFileName('a\uE000b\u2800c.txt'), 'abc.txt');
  assert.equal(cleanFileName('a \t\u00A0\u3000b.txt'), 'a b.txt');
  assert.equal(cleanFileName('COM0.txt'), '_COM0.txt');
  assert.equal(cleanFileName('lpt\u00B9'), '_lpt\u00B9');
});
