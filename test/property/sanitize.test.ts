import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hasUnsafeChars, sanitizeText, utf8Length } from '../../src/core/text.js';
import { checkName, nameKey } from '../../src/core/names.js';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

test('sanitised text never holds a C0 or C1 control and is well formed', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      const out = sanitizeText(s);
      assert.ok(!CONTROL.test(out));
      assert.ok(out.isWellFormed());
      assert.equal(hasUnsafeChars(out), false);
    }),
  );
});

test('sanitising keeps safe text unchanged and is idempotent', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      const once = sanitizeText(s);
      assert.equal(sanitizeText(once), once);
      if (!hasUnsafeChars(s)) assert.equal(once, s);
    }),
  );
});

test('utf8Length agrees with Buffer.byteLength on well-formed strings', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      assert.equal(utf8Length(s), Buffer.byteLength(s, 'utf8'));
    }),
  );
});

test('an accepted name holds no control, space, format or invisible character', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      const r = checkName(s);
      if (!r.ok) return;
      assert.ok(!/[\p{C}\p{Z}\s]/u.test(r.name), JSON.stringify(r.name));
      assert.ok([...r.name].length >= 1 && [...r.name].length <= 32);
    }),
  );
});

test('name keys ignore letter case', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[a-zA-Z0-9_.-]{1,32}$/), (s) => {
      assert.equal(nameKey(s.toUpperCase()), nameKey(s.toLowerCase()));
    }),
  );
  assert.equal(checkName('João').ok, true);
  assert.equal(checkName('Joa\u0303o').ok, true, 'a decomposed accent is normalised to NFC');
  assert.equal(checkName('ana\u200b').ok, false);
  assert.equal(checkName('\u202eana').ok, false);
});
