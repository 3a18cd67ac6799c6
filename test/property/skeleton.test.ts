import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { nameKey } from '../../src/core/names.js';
import { skeleton } from '../../src/core/skeleton.js';

const nameChars = fc.string({ unit: 'grapheme', maxLength: 16 });
const confusableUnits = fc.constantFrom(
  'a',
  'а',
  'o',
  'о',
  '0',
  'O',
  'l',
  '1',
  'I',
  'rn',
  'm',
  'e',
  'е',
  'p',
  'р',
  'ß',
  'é',
  'e\u0301',
  'Ω',
  'ω',
  'ǅ',
);
const confusableNames = fc.array(confusableUnits, { maxLength: 10 }).map((a) => a.join(''));

test('skeleton is idempotent', () => {
  fc.assert(
    fc.property(fc.oneof(nameChars, confusableNames), (s) => {
      assert.equal(skeleton(skeleton(s)), skeleton(s));
    }),
    { numRuns: 2000 },
  );
});

test('names that differ only in letter case (one name to papo) have one skeleton', () => {
  fc.assert(
    fc.property(fc.oneof(nameChars, confusableNames), (s) => {
      const upper = s.toUpperCase();
      // papo folds case with toLowerCase: `ß` and `SS` are two names, `Ana` and `ana` one.
      if (nameKey(upper) === nameKey(s)) assert.equal(skeleton(upper), skeleton(s));
      assert.equal(skeleton(s.toLowerCase()), skeleton(s));
      assert.equal(skeleton(nameKey(s)), skeleton(s));
    }),
    { numRuns: 2000 },
  );
});

test('NFC and NFD spellings have one skeleton', () => {
  fc.assert(
    fc.property(fc.oneof(nameChars, confusableNames), (s) => {
      assert.equal(skeleton(s.normalize('NFC')), skeleton(s.normalize('NFD')));
    }),
  );
});

test('known look-alike pairs from Unicode’s data share a skeleton, and different names do not', () => {
  const same: Array<[string, string]> = [
    ['ana', '\u0430na'], // Cyrillic а
    ['paypal', 'paypa1'],
    ['joao', 'j\u043eao'], // Cyrillic о
    ['admin', '\u0430dmin'],
    ['rn', 'm'],
    ['ANA', 'ana'],
    ['#rust', '#ru\u0455t'], // Cyrillic ѕ
  ];
  for (const [a, b] of same) assert.equal(skeleton(a), skeleton(b), `${a} / ${b}`);
  const different: Array<[string, string]> = [
    ['ana', 'ane'],
    ['bob', 'bób'],
    ['maria', 'mario'],
  ];
  for (const [a, b] of different) assert.notEqual(skeleton(a), skeleton(b), `${a} / ${b}`);
});
