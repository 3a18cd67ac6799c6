import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PasswordHasher } from '../../src/store/password-hash.js';

test("hashes at OWASP's scrypt minimum (N=2^17, r=8, p=1) with a 16-byte salt, stored with its parameters", async (t) => {
  const hasher = new PasswordHasher();
  t.after(() => hasher.close());
  const hash = await hasher.hash('Jos\u00e9 s3cret');
  assert.match(hash, /^scrypt\$131072\$8\$1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.equal(await hasher.verify('Jos\u00e9 s3cret', hash), true);
  assert.equal(await hasher.verify('Jose\u0301 s3cret', hash), true, 'NFD is the same password');
  assert.equal(await hasher.verify('jos\u00e9 s3cret', hash), false);
  assert.notEqual(await hasher.hash('Jos\u00e9 s3cret'), hash, 'a fresh salt each time');
});

test('verifies hashes stored before hashing moved to child processes', async (t) => {
  const hasher = new PasswordHasher();
  t.after(() => hasher.close());
  // Made by the in-process scrypt of ca67352 (N=2^10, so the test is quick): the format is unchanged.
  const stored = 'scrypt$1024$8$1$Sr7/57uipaaPv9/juuxXfg$ERNjXDTWVPCURexIWS0w0oEzMPYujALxVw/1jduycH4';
  assert.equal(await hasher.verify('s3cret', stored), true);
  assert.equal(await hasher.verify('s3creT', stored), false);
});

test('a malformed stored hash never verifies', async (t) => {
  const hasher = new PasswordHasher();
  t.after(() => hasher.close());
  for (const bad of ['', 'scrypt$', 'bcrypt$1$2$3$4$5', 'scrypt$0$8$1$AAAA$AAAA', 'scrypt$x$8$1$AAAA$AAAA'])
    assert.equal(await hasher.verify('pw', bad), false, bad);
});
