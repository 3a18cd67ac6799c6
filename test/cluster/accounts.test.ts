import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { clusterKeys } from '../../src/cluster/keys.js';
import type { RedisAccounts } from '../../src/cluster/redis-accounts.js';
import { skeleton } from '../../src/core/skeleton.js';
import { LineClient } from '../helpers/line-client.js';
import { FAST_THROTTLE, TEST_SCRYPT } from '../helpers/accounts.js';
import {
  act,
  clusterFixture,
  FAST,
  nextWhere,
  SKIP,
  startNode,
  until,
  type ClusterFixture,
  type TestNode,
} from './harness.js';

const WITH_ACCOUNTS = { accounts: { scrypt: TEST_SCRYPT, timeoutMs: 1000 } };

/** Two nodes sharing the cluster's accounts. */
async function twoNodes(f: ClusterFixture, extra = {}): Promise<[TestNode, TestNode]> {
  for (const name of ['a', 'b'])
    f.nodes.push(
      await startNode(
        f.redis.url,
        name,
        FAST,
        false,
        { loginThrottle: FAST_THROTTLE },
        { ...WITH_ACCOUNTS, ...extra },
      ),
    );
  return f.nodes as [TestNode, TestNode];
}

/** A JSON client after `hello` (no name yet). */
async function client(f: ClusterFixture, port: number): Promise<LineClient> {
  const c = await LineClient.connect(port, '127.0.0.1');
  f.clients.push(c);
  c.sendLine(JSON.stringify({ type: 'hello', version: 2 }));
  await c.jsonOfType('hello');
  return c;
}

/** Waits until `node` has seen `name` leave (the leave travels through Redis). */
async function gone(node: TestNode, name: string): Promise<void> {
  await until(() => node.server.hub.directory.find(name) === undefined, `${name} gone on ${node.name}`);
}

const isAnswer = (m: Record<string, unknown>) => m.type === 'welcome' || m.type === 'error';

test(
  'a name registered on one node asks for its password on another: the right one gets in, a wrong one is refused',
  { skip: SKIP, timeout: 30_000 },
  async (t) => {
    const f = await clusterFixture(t);
    const [a, b] = await twoNodes(f);
    const ana = await client(f, a.port);
    act(ana, { type: 'join', name: 'ana' });
    await ana.jsonOfType('welcome');
    act(ana, { type: 'register', password: 'pw-ana', ref: 'r' });
    assert.deepEqual(await ana.jsonOfType('account'), {
      type: 'account',
      of: 'register',
      name: 'ana',
      ref: 'r',
    });
    act(ana, { type: 'quit' });
    await ana.closedByServer();
    await gone(b, 'ana');

    const thief = await client(f, b.port);
    act(thief, { type: 'join', name: 'Ana', password: 'guess', ref: 'j' });
    assert.equal((await thief.jsonOfType('challenge')).password, true);
    const refused = await nextWhere(thief, isAnswer);
    assert.equal(refused.code, 'LOGIN_FAILED', JSON.stringify(refused));

    const back = await client(f, b.port);
    act(back, { type: 'join', name: 'ana', password: 'pw-ana' });
    const welcome = await nextWhere(back, isAnswer);
    assert.equal(welcome.type, 'welcome', JSON.stringify(welcome));
    act(back, { type: 'whois', name: 'ana', ref: 'w' });
    const whois = await back.jsonOfType('whois');
    assert.equal(whois.registered, true);

    // The same account seen from node A's store: one record, the same scrypt form as SQLite's.
    const admin = new Redis(f.redis.url);
    t.after(() => admin.disconnect());
    const stored = await admin.hgetall('papo:account:ana');
    assert.equal(stored.name, 'ana');
    assert.match(stored.password_hash ?? '', /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  },
);

test(
  'a look-alike of a name registered on another node is refused, at the door and at /register',
  { skip: SKIP, timeout: 30_000 },
  async (t) => {
    const f = await clusterFixture(t);
    const [a, b] = await twoNodes(f);
    const paypal = await client(f, a.port);
    act(paypal, { type: 'join', name: 'paypal' });
    await paypal.jsonOfType('welcome');
    act(paypal, { type: 'register', password: 'pp-secret' });
    await paypal.jsonOfType('account');
    act(paypal, { type: 'quit' });
    await paypal.closedByServer();
    await gone(b, 'paypal');

    // Cyrillic а for the first letter: another key, the same skeleton.
    const fake = await client(f, b.port);
    act(fake, { type: 'join', name: '\u0440aypal', ref: 'j' });
    const refused = await nextWhere(fake, isAnswer);
    assert.equal(refused.code, 'NAME_CONFUSABLE', JSON.stringify(refused));
    assert.match(refused.message as string, /paypal/);

    // The store refuses it too, even when asked directly (no check before it).
    const registration = {
      key: 'p\u0430ypal',
      name: 'p\u0430ypal',
      skeleton: skeleton('p\u0430ypal'),
      created: Date.now(),
      password: 'x',
    };
    const answer = await new Promise((r) => (b.accounts as RedisAccounts).register(registration, r));
    assert.equal(answer, 'taken');
  },
);

test(
  'two nodes registering look-alikes at the same moment: exactly one wins, every time',
  { skip: SKIP, timeout: 60_000 },
  async (t) => {
    const f = await clusterFixture(t);
    const [a, b] = await twoNodes(f);
    const register = (node: TestNode, name: string) =>
      new Promise((resolve) =>
        (node.accounts as RedisAccounts).register(
          { key: name.toLowerCase(), name, skeleton: skeleton(name), created: Date.now(), password: 'pw' },
          resolve,
        ),
      );
    for (let i = 0; i < 20; i++) {
      // Latin o and Cyrillic о: two keys, one skeleton.
      const answers = await Promise.all([register(a, `bo${i}`), register(b, `b\u043e${i}`)]);
      assert.deepEqual(answers.slice().sort(), ['ok', 'taken'], `round ${i}: ${JSON.stringify(answers)}`);
    }
    // And the same name at once through the chat: one joins registered, the other is told.
    const opts = { options: { requireAccount: true } };
    f.nodes.push(
      await startNode(
        f.redis.url,
        'c',
        FAST,
        false,
        { loginThrottle: FAST_THROTTLE },
        { ...WITH_ACCOUNTS, ...opts },
      ),
      await startNode(
        f.redis.url,
        'd',
        FAST,
        false,
        { loginThrottle: FAST_THROTTLE },
        { ...WITH_ACCOUNTS, ...opts },
      ),
    );
    const [c, d] = f.nodes.slice(2) as [TestNode, TestNode];
    const one = await client(f, c.port);
    const two = await client(f, d.port);
    act(one, { type: 'join', name: 'zeca', password: 'pw-one' });
    act(two, { type: 'join', name: 'z\u0435ca', password: 'pw-two' });
    const results = [await nextWhere(one, isAnswer), await nextWhere(two, isAnswer)];
    const codes = results.map((m) => (m.type === 'welcome' ? 'welcome' : m.code)).sort();
    assert.ok(
      JSON.stringify(codes) === '["NAME_REGISTERED","welcome"]' ||
        JSON.stringify(codes) === '["NAME_CONFUSABLE","welcome"]',
      JSON.stringify(results),
    );
  },
);

test(
  'hostile input on the cluster path: bad passwords are refused by the same checks, Redis-special keys are just bytes',
  { skip: SKIP, timeout: 30_000 },
  async (t) => {
    const f = await clusterFixture(t);
    const [a, b] = await twoNodes(f);
    const u = await client(f, a.port);
    act(u, { type: 'join', name: 'x.y-z_' });
    await u.jsonOfType('welcome');
    for (const password of ['x'.repeat(1025), 'a\u0007b', 'a\u0085b', '']) {
      act(u, { type: 'register', password });
      assert.equal((await u.jsonOfType('error')).code, 'PASSWORD_INVALID');
    }
    act(u, { type: 'register', password: 'fine' });
    await u.jsonOfType('account');
    act(u, { type: 'quit' });
    await u.closedByServer();
    await gone(b, 'x.y-z_');
    const back = await client(f, b.port);
    act(back, { type: 'join', name: 'X.Y-Z_', password: 'fine' });
    assert.equal((await nextWhere(back, isAnswer)).type, 'welcome');

    // The chat admits no such names, but the store must not care: globs, colons, spaces and
    // line ends in a key reach no other key, and a lookup finds exactly its own.
    const store = b.accounts as RedisAccounts;
    const odd = ['*', 'a:b', 'papo:seq', 'x\r\nDEL papo:accounts', '?', '[a]'];
    for (const key of odd) {
      const r = { key, name: key, skeleton: `sk-${key}`, created: 1, publicKey: undefined };
      assert.equal(await new Promise((done) => store.register(r, done)), 'ok', key);
    }
    for (const key of odd) {
      const found = await new Promise<unknown>((done) => store.lookup(key, done));
      assert.equal((found as { name: string }).name, key);
    }
    assert.equal(await new Promise((done) => store.lookup('a', done)), null);
    assert.deepEqual((await store.list()).map((r) => r.key).sort(), [...odd, 'x.y-z_'].sort());
    assert.equal(await new Promise((done) => store.unregister('*', done)), true);
    assert.equal((await store.list()).length, odd.length);
  },
);

test(
  'Redis gone or frozen: account calls answer ACCOUNTS_UNAVAILABLE within the timeout, nothing hangs',
  { skip: SKIP, timeout: 30_000 },
  async (t) => {
    const f = await clusterFixture(t);
    const [a] = await twoNodes(f);
    const u = await client(f, a.port);
    act(u, { type: 'join', name: 'rui' });
    await u.jsonOfType('welcome');

    // Frozen: the connection is up but nothing answers.
    const pid = f.redis.pid as number;
    process.kill(pid, 'SIGSTOP');
    t.after(() => {
      if (f.redis.pid) process.kill(pid, 'SIGCONT');
    });
    const started = Date.now();
    act(u, { type: 'whois', name: 'ana', ref: 'w1' });
    const frozen = await nextWhere(u, (m) => m.ref === 'w1', 5000);
    assert.equal(frozen.code, 'ACCOUNTS_UNAVAILABLE', JSON.stringify(frozen));
    assert.ok(Date.now() - started < 4000, `answered after ${Date.now() - started} ms`);
    act(u, { type: 'register', password: 'pw', ref: 'r1' });
    assert.equal((await nextWhere(u, (m) => m.ref === 'r1', 5000)).code, 'ACCOUNTS_UNAVAILABLE');
    process.kill(pid, 'SIGCONT');

    // Gone: refused at once.
    await f.redis.stop();
    act(u, { type: 'whois', name: 'ana', ref: 'w2' });
    assert.equal((await nextWhere(u, (m) => m.ref === 'w2', 5000)).code, 'ACCOUNTS_UNAVAILABLE');
    const late = await client(f, a.port);
    act(late, { type: 'join', name: 'eva', ref: 'j' });
    const refused = await nextWhere(late, isAnswer, 5000);
    assert.equal(refused.type, 'error', JSON.stringify(refused));
    assert.ok(
      ['ACCOUNTS_UNAVAILABLE', 'CLUSTER_DOWN'].includes(refused.code as string),
      JSON.stringify(refused),
    );
  },
);

test(
  'the store records the cluster server id once, whichever node opens it first',
  { skip: SKIP, timeout: 30_000 },
  async (t) => {
    const f = await clusterFixture(t);
    const [a, b] = await twoNodes(f);
    assert.equal((a.accounts as RedisAccounts).serverId, (b.accounts as RedisAccounts).serverId);
    const admin = new Redis(f.redis.url);
    t.after(() => admin.disconnect());
    assert.equal(await admin.get(clusterKeys().serverId), (a.accounts as RedisAccounts).serverId);
  },
);
