import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_THROTTLE, LoginThrottle } from '../../src/core/login-throttle.js';

test('failures slow one (name, address) with doubling waits, then refuse it for the window', () => {
  const th = new LoginThrottle();
  let now = 1_000_000;
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(th.verdict('ana', '10.0.0.1', now), { kind: 'go' });
    th.fail('ana', '10.0.0.1', now);
  }
  assert.deepEqual(th.verdict('ana', '10.0.0.1', now), { kind: 'wait', ms: 1000 });
  th.fail('ana', '10.0.0.1', (now += 1000));
  assert.deepEqual(th.verdict('ana', '10.0.0.1', now), { kind: 'wait', ms: 2000 });
  for (let i = 7; i <= 20; i++) th.fail('ana', '10.0.0.1', (now += 60_000));
  const refused = th.verdict('ana', '10.0.0.1', now);
  assert.equal(refused.kind, 'refused');
  assert.equal(refused.kind === 'refused' && refused.seconds, 15 * 60);
  // The owner from another address is only slowed by the name's count, never refused.
  assert.deepEqual(th.verdict('ana', '10.0.0.2', now), { kind: 'wait', ms: DEFAULT_THROTTLE.nameDelayMs });
  // The window passes: forgotten.
  assert.deepEqual(th.verdict('ana', '10.0.0.1', now + 15 * 60_000), { kind: 'go' });
});

test('one address guessing many names is refused after the address limit', () => {
  const th = new LoginThrottle();
  const now = 5_000_000;
  for (let i = 0; i < DEFAULT_THROTTLE.addressLockoutFailures; i++) th.fail(`user${i}`, '10.9.9.9', now);
  assert.equal(th.verdict('someone', '10.9.9.9', now).kind, 'refused');
  assert.deepEqual(th.verdict('someone', '10.9.9.8', now), { kind: 'go' });
});

test('a good login lifts the refusal of that name from that address (the address stays counted)', () => {
  const th = new LoginThrottle();
  for (let i = 0; i < DEFAULT_THROTTLE.lockoutFailures; i++) th.fail('bo', '::1', 0);
  assert.equal(th.verdict('bo', '::1', 0).kind, 'refused');
  th.succeed('bo', '::1');
  assert.notEqual(th.verdict('bo', '::1', 0).kind, 'refused');
});

test("a cluster's shared counters replace this server's own for the keys read, and none clears them", () => {
  const th = new LoginThrottle();
  const now = 1_000_000;
  const keys = th.keysFor('ana', '10.0.0.1');
  th.adopt(keys, [{ failures: 20, last: now }, undefined, undefined]);
  assert.equal(th.verdict('ana', '10.0.0.1', now).kind, 'refused');
  th.fail('bob', '10.0.0.1', now);
  th.adopt(keys, [undefined, undefined, undefined]);
  assert.deepEqual(th.verdict('ana', '10.0.0.1', now), { kind: 'go' });
  // Keys not read are left alone.
  th.adopt(th.keysFor('ana', '10.0.0.2'), [undefined, undefined, undefined]);
  for (let i = 0; i < 5; i++) th.fail('bob', '10.0.0.3', now);
  assert.deepEqual(th.verdict('bob', '10.0.0.3', now), { kind: 'wait', ms: 1000 });
});
