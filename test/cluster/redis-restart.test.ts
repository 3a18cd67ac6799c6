import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterFixture, act, bot, record, SKIP, startNode, until } from './harness.js';
import type { LineClient } from '../helpers/line-client.js';

test(
  'Redis stopped and restarted mid-conversation: refused while down, nothing acknowledged lost or doubled, one order',
  { skip: SKIP, timeout: 90_000 },
  async (t) => {
    const { redis, nodes, clients } = await clusterFixture(t);
    for (const name of ['a', 'b', 'c']) nodes.push(await startNode(redis.url, name));
    const users: Array<{ name: string; c: LineClient; seen: Record<string, unknown>[] }> = [];
    for (const [i, n] of nodes.entries()) {
      const u = await bot(n.port, `u${i}`);
      clients.push(u.c);
      users.push({ name: `u${i}`, c: u.c, seen: record(u.c) });
    }
    const last = users[2] as (typeof users)[number];
    await until(
      () => last.seen.length >= 0 && nodes.every((n) => n.server.hub.userCount === 3),
      'all joined',
    );

    // Everyone talks all along, one message every 15 ms each, while Redis goes away and comes back.
    let sending = true;
    let sent = 0;
    const talk = async (u: (typeof users)[number]) => {
      for (let k = 0; sending && k < 2000; k++) {
        act(u.c, { type: 'say', text: `${u.name}-${k}`, ref: `${u.name}-${k}` });
        sent++;
        await new Promise((r) => setTimeout(r, 15));
      }
    };
    const talking = Promise.all(users.map(talk));
    const acked = (u: (typeof users)[number]) => u.seen.filter((m) => m.type === 'ack');
    await until(() => users.every((u) => acked(u).length >= 10), 'acks before the outage');
    await redis.stop();
    const notice = (u: (typeof users)[number], code: string) =>
      u.seen.some((m) => m.type === 'notice' && m.code === code);
    await until(() => users.every((u) => notice(u, 'CLUSTER_DEGRADED')), 'degraded notices');
    await until(
      () => users.every((u) => u.seen.some((m) => m.type === 'error' && m.code === 'CLUSTER_DOWN')),
      'CLUSTER_DOWN errors while Redis is down',
    );
    await redis.run();
    await until(() => users.every((u) => notice(u, 'CLUSTER_RESTORED')), 'restored notices');
    const before = users.map((u) => acked(u).length);
    await until(() => users.every((u, i) => acked(u).length >= (before[i] as number) + 10), 'acks after');
    sending = false;
    await talking;
    // Let the last messages arrive: everyone has seen everyone's acknowledged messages.
    const ackedRefs = users.flatMap((u) => acked(u).map((a) => a.ref as string));
    const messages = (u: (typeof users)[number]) => u.seen.filter((m) => m.type === 'message');
    await until(
      () =>
        users.every((u) => {
          const got = new Set(messages(u).map((m) => m.text));
          return ackedRefs.every((r) => r.startsWith(`${u.name}-`) || got.has(r));
        }),
      'every acknowledged message delivered to every other user',
    );
    for (const u of users) {
      const ids = [...messages(u).map((m) => m.id as number), ...acked(u).map((a) => a.id as number)];
      assert.equal(new Set(ids).size, ids.length, `${u.name} got a message twice`);
      const shown = messages(u).map((m) => m.id as number);
      assert.deepEqual(
        shown,
        [...shown].sort((x, y) => x - y),
        `${u.name} saw messages out of order`,
      );
    }
    // One order: the messages two users both saw came in the same order to both.
    const byId = (u: (typeof users)[number]) =>
      [...messages(u), ...acked(u).map((a) => ({ id: a.id, text: a.ref }))]
        .sort((x, y) => (x.id as number) - (y.id as number))
        .map((m) => `${m.id}:${m.text}`);
    const orders = users.map(byId);
    const common = (orders[0] as string[]).filter((x) => orders.every((o) => o.includes(x)));
    for (const o of orders)
      assert.deepEqual(
        o.filter((x) => common.includes(x)),
        common,
      );
    // One id, one message, on every node: ids were not reused after Redis came back empty.
    const textOf = new Map<number, string>();
    for (const u of users)
      for (const m of [...messages(u), ...acked(u).map((a) => ({ id: a.id, text: a.ref }))]) {
        const known = textOf.get(m.id as number);
        assert.ok(known === undefined || known === m.text, `id ${m.id}: ${known} and ${m.text}`);
        textOf.set(m.id as number, m.text as string);
      }
    assert.ok(sent > 0);
  },
);
