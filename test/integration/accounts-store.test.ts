import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Registration } from '../../src/core/accounts.js';
import { skeleton } from '../../src/core/skeleton.js';
import { SqliteAccounts } from '../../src/store/sqlite-accounts.js';
import { TEST_SCRYPT } from '../helpers/accounts.js';
import { tempDir } from '../helpers/temp.js';

const registration = (name: string): Registration => ({
  key: name.toLowerCase(),
  name,
  skeleton: skeleton(name),
  created: 0,
  password: `pw-${name}`,
});

test('two look-alikes registered at once (both hashing) on one server: exactly one wins', async (t) => {
  const accounts = new SqliteAccounts(join(tempDir(t), 'accounts.db'), TEST_SCRYPT);
  t.after(() => accounts.close());
  for (let i = 0; i < 10; i++) {
    // Latin o and Cyrillic о: two keys, one skeleton; both pass a look-alike check made before hashing.
    const answers = await Promise.all(
      [`bo${i}`, `b\u043e${i}`].map(
        (name) => new Promise((done) => accounts.register(registration(name), done)),
      ),
    );
    assert.deepEqual(answers.slice().sort(), ['ok', 'taken'], `round ${i}`);
  }
  assert.equal(accounts.count(), 10);
  // The same key twice is taken as before, and a name unlike any other still registers.
  assert.equal(await new Promise((done) => accounts.register(registration('bo0'), done)), 'taken');
  assert.equal(await new Promise((done) => accounts.register(registration('zed'), done)), 'ok');
});
