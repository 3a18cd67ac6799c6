import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Sha256, sha256OfBlob } from '../../web/src/sha256.js';

const nodeSha = (parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

test('the streaming SHA-256 agrees with node:crypto however the input is cut', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }), (parts) => {
      const h = new Sha256();
      for (const p of parts) h.update(p);
      assert.equal(h.hex(), nodeSha(parts));
    }),
    { numRuns: 1000 },
  );
});

test('lengths around the padding boundaries hash right', () => {
  for (let n = 0; n < 200; n++) {
    const data = new Uint8Array(n).map((_, i) => (i * 7) & 0xff);
    assert.equal(new Sha256().update(data).hex(), nodeSha([data]));
  }
});

test('a Blob hashes the same in one shot and sliced', async () => {
  const data = new Uint8Array(5 * 1024 * 1024 + 3).map((_, i) => (i * 31) & 0xff);
  const expected = nodeSha([data]);
  assert.equal(await sha256OfBlob(new Blob([data])), expected);
  const sliced = new Sha256();
  for (let at = 0; at < data.length; at += 4 * 1024 * 1024)
    sliced.update(data.subarray(at, at + 4 * 1024 * 1024));
  assert.equal(sliced.hex(), expected);
});
