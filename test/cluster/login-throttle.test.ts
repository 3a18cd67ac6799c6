import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { ThrottlePolicy } from '../../src/core/login-throttle.js';
import { FAST_THROTTLE, TEST_SCRYPT } from '../helpers/accounts.js';
import { LineClient } from '../helpers/line-client.js';
import {
  act,
  clusterFixture,
  FAST,
  nextWhere,
  SKIP,
  startNode,
  type ClusterFixture,
  type TestNode,
} from './harness.js';

/** Locked out after 4 failures of one name from one address; no waits before that. */
const STRICT: ThrottlePolicy = {
  ...FAST_THROTTLE,
  freeFailures: 100,
  lockoutFailures: 4,
  nameSlowFailures: 100,
};

const isAnswer = (m: Record<string, unknown>) => m.type === 'welcome' || m.type === 'error';

/** One login try of `name` on `node` from `from`: its answer (welcome or error). */
async function tryLogin(
  f: ClusterFixture,
  node: TestNode,
  name: string,
  password: string,
  from = '127.0.0.1',
) {
  const c = await LineClient.connect(node.port, '127.0.0.1', from);
  f.clients.push(c);
  c.sendLine(JSON.stringify({ type: 'hello', version: 2 }));
  await c.jsonOfType('hello');
  act(c, { type: 'join', name, password });
  const answer = await nextWhere(c, isAnswer);
  c.destroy();
  return answer;
}

test(
  'failed logins count on every node: guesses spread over two nodes are locked out as on one',
  { skip: SKIP, timeout: 30_000 },
  async (t) => {
    const f = await clusterFixture(t);
    const accounts = { accounts: { scrypt: TEST_SCRYPT, timeoutMs: 1000 } };
    for (const name of ['a', 'b'])
      f.nodes.push(await startNode(f.redis.url, name, FAST, false, { loginThrottle: STRICT }, accounts));
    const [a, b] = f.nodes as [TestNode, TestNode];
    const ana = await LineClient.connect(a.port, '127.0.0.1', '127.0.0.9');
    f.clients.push(ana);
    ana.sendLine(JSON.stringify({ type: 'hello', version: 2, name: 'ana' }));
    await ana.jsonOfType('welcome');
    act(ana, { type: 'register', password: 'pw-ana' });
    await ana.jsonOfType('account');
    act(ana, { type: 'quit' });
    await ana.closedByServer();

    // Two wrong guesses on each node: four in all, the lockout.
    for (const node of [a, b, a, b])
      assert.equal((await tryLogin(f, node, 'ana', 'guess')).code, 'LOGIN_FAILED');
    const admin = new Redis(f.redis.url);
    t.after(() => admin.disconnect());
    const pair = 'papo:login-failures:p\u0000ana\u0000127.0.0.1';
    assert.equal(await admin.hget(pair, 'failures'), '4');
    const ttl = await admin.pttl(pair);
    assert.ok(ttl > 0 && ttl <= STRICT.windowMs, `expires: ${ttl}`);

    // The fifth try is refused on either node, even with the right password.
    for (const node of [a, b]) {
      const refused = await tryLogin(f, node, 'ana', 'pw-ana');
      assert.equal(refused.code, 'LOGIN_THROTTLED', JSON.stringify(refused));
    }
    // The owner, from elsewhere, still gets in; and her good login clears only her own counter.
    assert.equal((await tryLogin(f, b, 'ana', 'pw-ana', '127.0.0.9')).type, 'welcome');
    assert.equal(await admin.exists('papo:login-failures:p\u0000ana\u0000127.0.0.9'), 0);
    assert.equal(await admin.hget(pair, 'failures'), '4');
  },
);
