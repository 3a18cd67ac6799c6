import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkName, checkRoomName, nameKey, roomKey } from '../../src/core/names.js';

/** Characters that show as nothing (Unicode's Default_Ignorable_Code_Point), issue #18 point 2. */
const INVISIBLES = [
  ['U+034F combining grapheme joiner', '\u034f'],
  ['U+FE0F variation selector-16', '\ufe0f'],
  ['U+E0100 variation selector-17', '\u{e0100}'],
  ['U+180B Mongolian free variation selector', '\u180b'],
  ['U+1160 Hangul jungseong filler', '\u1160'],
  ['U+3164 Hangul filler', '\u3164'],
  ['U+3164 U+3164', '\u3164\u3164'],
  ['U+115F Hangul choseong filler', '\u115f'],
  ['U+FFA0 halfwidth Hangul filler', '\uffa0'],
  ['U+200B zero width space', '\u200b'],
] as const;

for (const [label, chars] of INVISIBLES) {
  test(`refuses a name of ${label}, alone or after "ana", naming the character`, () => {
    const codePoint = chars.codePointAt(0);
    for (const name of [chars, `ana${chars}`]) {
      assert.deepEqual(checkName(name), { ok: false, problem: { kind: 'bad_char', codePoint } }, name);
      assert.deepEqual(checkRoomName(`#${name}`), { ok: false, problem: { kind: 'bad_char', codePoint } });
    }
  });
}

test('accepts names of letters, marks after a letter, digits and _ - .', () => {
  for (const name of ['ana', 'João', 'x.y_z-1', '李小龙', 'Ωmega', 'e\u0301', '9lives']) {
    assert.equal(checkName(name).ok, true, name);
  }
  assert.deepEqual(checkName('Joa\u0303o'), { ok: true, name: 'João' }, 'the accepted form is NFC');
  assert.deepEqual(checkName('\u0301a'), { ok: false, problem: { kind: 'bad_char', codePoint: 0x301 } });
});

test('a room name is # and 1–32 name characters, and keeps its letter case', () => {
  assert.deepEqual(checkRoomName('#Rust'), { ok: true, name: '#Rust' });
  assert.deepEqual(checkRoomName('#caf\u0065\u0301'), { ok: true, name: '#café' });
  assert.deepEqual(checkRoomName('rust'), { ok: false, problem: { kind: 'no_hash' } });
  assert.deepEqual(checkRoomName('#'), { ok: false, problem: { kind: 'empty' } });
  assert.deepEqual(checkRoomName(`#${'x'.repeat(33)}`), {
    ok: false,
    problem: { kind: 'too_long', chars: 33, max: 32 },
  });
  assert.equal(checkRoomName(`#${'x'.repeat(32)}`).ok, true);
  assert.equal(roomKey('#Rust'), roomKey('#RUST'));
  assert.equal(roomKey('#café'), roomKey('#CAFE\u0301'));
});

/** Strings that mix ordinary name characters with the troublesome ones. */
const TRICKY = [
  ...INVISIBLES.map(([, c]) => c),
  '\u200d',
  '\u202e',
  '\u00ad',
  '\u2060',
  '\ufeff',
  '\u0000',
  ' ',
  '\u00a0',
];
const nameLike = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom('a', 'B', 'é', '1', '_', '\u0301', ...TRICKY),
        fc.string({ unit: 'binary', maxLength: 1 }),
      ),
      {
        maxLength: 36,
      },
    )
    .map((parts) => parts.join('')),
);

test('an accepted name holds no invisible, control, format or separator character', () => {
  const forbidden = /[\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{Z}]/u;
  fc.assert(
    fc.property(nameLike, (s) => {
      for (const r of [checkName(s), checkRoomName(`#${s}`)]) {
        if (!r.ok) continue;
        assert.doesNotMatch(r.name, forbidden, JSON.stringify(r.name));
        assert.equal(nameKey(r.name).match(forbidden), null, 'nor does its key');
      }
    }),
    { numRuns: 2000 },
  );
});
