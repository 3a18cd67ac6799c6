import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  formatDuration,
  looksLikeDuration,
  MAX_DURATION_MS,
  parseDuration,
} from '../../src/core/moderation/duration.js';

test('durations parse in s, m, h, d and w, alone or together', () => {
  assert.deepEqual(parseDuration('30s'), { ok: true, ms: 30_000 });
  assert.deepEqual(parseDuration('10m'), { ok: true, ms: 600_000 });
  assert.deepEqual(parseDuration('2H'), { ok: true, ms: 7_200_000 });
  assert.deepEqual(parseDuration('7d'), { ok: true, ms: 604_800_000 });
  assert.deepEqual(parseDuration('1d12h'), { ok: true, ms: 129_600_000 });
  assert.deepEqual(parseDuration('2w'), { ok: true, ms: 1_209_600_000 });
  for (const p of ['none', 'permanent', 'PERM', '0', 'never'])
    assert.deepEqual(parseDuration(p), { ok: true, ms: null });
});

test('bad, zero and huge durations are refused, never capped', () => {
  assert.deepEqual(parseDuration('5y'), { ok: false, problem: 'unit' });
  assert.deepEqual(parseDuration('10'), { ok: false, problem: 'unit' });
  assert.deepEqual(parseDuration('m10'), { ok: false, problem: 'unit' });
  assert.deepEqual(parseDuration('0m'), { ok: false, problem: 'zero' });
  assert.deepEqual(parseDuration('3651d'), { ok: false, problem: 'too_long' });
  assert.deepEqual(parseDuration('99999999999999999999d'), { ok: false, problem: 'too_long' });
  assert.deepEqual(parseDuration('1s'.repeat(20)), { ok: false, problem: 'unit' });
});

test('a reason word is not a duration', () => {
  assert.equal(looksLikeDuration('spam'), false);
  assert.equal(looksLikeDuration('10m'), true);
  assert.equal(looksLikeDuration('none'), true);
  assert.equal(looksLikeDuration('5y'), true); // then refused with a clear error, not taken as a reason
});

test('every whole-second duration up to the limit survives formatting and parsing again', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: MAX_DURATION_MS / 1000 }), (s) => {
      const ms = s * 1000;
      assert.deepEqual(parseDuration(formatDuration(ms)), { ok: true, ms });
    }),
  );
  assert.equal(formatDuration(null), 'none');
});

test('arbitrary text never throws and gives a duration within the limit or a reason', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      const d = parseDuration(s);
      if (d.ok && d.ms !== null) assert.ok(d.ms > 0 && d.ms <= MAX_DURATION_MS);
    }),
  );
});
