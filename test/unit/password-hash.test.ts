import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, verifyPassword } from '../../src/store/password-hash.js';

test("hashes at OWASP's scrypt minimum (N=2^17, r=8, p=1) with a 16-byte salt, stored with its parameters", async () => {
  const hash = await hashPassword('Jos\u00e9 s3cret');
  assert.match(hash, /^scrypt\$131072\$8\$1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.equal(await verifyPassword('Jos\u00e9 s3cret', hash), true);
  assert.equal(await verifyPassword('Jose\u0301 s3cret', hash), true, 'NFD is the same password');
  assert.equal(await verifyPassword('jos\u00e9 s3cret', hash), false);
  assert.notEqual(await hashPassword('Jos\u00e9 s3cret'), hash, 'a fresh salt each time');
});

test('a malformed stored hash never verifies', async () => {
  for (const bad of ['', 'scrypt$', 'bcrypt$1$2$3$4$5', 'scrypt$0$8$1$AAAA$AAAA', 'scrypt$x$8$1$AAAA$AAAA'])
    assert.equal(await verifyPassword('pw', bad), false, bad);
});
