import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { accelTarget, checkAccelPrefix } from '../../src/server/files/accel.js';
import { parseAccelPrefix } from '../../src/server/files/options.js';

/** Strings rich in what a prefix or a hash could attack with. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc
    .array(
      fc.constantFrom('/', '..', '.', 'a', '_papo', '%2f', '\r\n', '\0', ' ', '?', '#', '\\', 'é', 'f'),
      {
        maxLength: 12,
      },
    )
    .map((parts) => parts.join('')),
);

test('an accepted accel prefix is a plain path: /…/, no dot segments, no controls, no escapes', () => {
  fc.assert(
    fc.property(hostile, (value) => {
      const prefix = checkAccelPrefix(value);
      if (prefix === null) return;
      assert.equal(prefix, value);
      assert.ok(prefix.startsWith('/') && prefix.endsWith('/'));
      assert.ok(!prefix.split('/').some((s) => s === '.' || s === '..'));
      assert.match(prefix, /^[A-Za-z0-9._~/-]+$/);
    }),
    { numRuns: 2000 },
  );
});

test('accel prefixes: the usual ones pass, the hostile ones get a usage error', () => {
  for (const ok of ['/', '/_papo_files/', '/internal/papo-files/', '/a.b/~c/'])
    assert.equal(parseAccelPrefix(ok), ok);
  for (const bad of [
    '',
    '_papo/',
    '/_papo',
    '/../',
    '/a/../b/',
    '/./',
    '/a b/',
    '/a%2f/',
    '/a\r\nX: y/',
    '/a?/',
    '//x',
  ]) {
    assert.throws(() => parseAccelPrefix(bad), /starts and ends with \//, JSON.stringify(bad));
  }
});

test('an accel target is the prefix and a blob path, made from a sha256 only', () => {
  fc.assert(
    fc.property(hostile, (hash) => {
      const target = accelTarget('/_papo_files/', hash);
      if (target === null) return;
      assert.match(target, /^\/_papo_files\/blobs\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
      assert.equal(target.slice(-64), hash);
    }),
  );
  const hash = 'ab'.repeat(32);
  assert.equal(accelTarget('/p/', hash), `/p/blobs/ab/${hash}`);
  assert.equal(accelTarget('/p/', hash.toUpperCase()), null);
  assert.equal(accelTarget('/p/', `${hash}/../x`), null);
});
