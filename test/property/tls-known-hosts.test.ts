import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { knownHostKey, lookupKnownHost, withKnownHost } from '../../src/client/known-hosts.js';
import { parseFingerprint } from '../../src/protocol/tls-fingerprint.js';

const base64Char = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const fingerprintArb = fc
  .array(base64Char, { minLength: 43, maxLength: 43 })
  .map((cs) => 'SHA256:' + cs.join(''));
const hostArb = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.ipV6().filter((h) => !h.includes('.')),
);
const keyArb = fc.tuple(hostArb, fc.integer({ min: 1, max: 65535 })).map(([h, p]) => knownHostKey(h, p));

test('after any sequence of writes, each host reads back the fingerprint written last', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(keyArb, fingerprintArb), { maxLength: 20 }), (writes) => {
      let text = '';
      const model = new Map<string, string>();
      for (const [key, fp] of writes) {
        text = withKnownHost(text, key, fp);
        model.set(key, fp);
      }
      for (const [key, fp] of model) assert.equal(lookupKnownHost(text, key), fp);
      const entries = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      assert.equal(entries.length, model.size);
    }),
  );
});

test('reading known_hosts never throws on arbitrary text and returns only well-formed fingerprints', () => {
  const lineArb = fc.oneof(
    fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
    fc.tuple(keyArb, fingerprintArb).map(([k, fp]) => `${k} ${fp}`),
  );
  fc.assert(
    fc.property(fc.array(lineArb, { maxLength: 10 }), keyArb, (lines, key) => {
      const found = lookupKnownHost(lines.join('\n'), key);
      assert.ok(found === null || parseFingerprint(found) === found);
    }),
  );
});
