import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterFixture, bot, SKIP, startNode, type TestNode } from './harness.js';

const ROUNDS = 40;

test(
  'two users racing for one name on two nodes: exactly one wins, every round',
  { skip: SKIP },
  async (t) => {
    const { redis, nodes, clients } = await clusterFixture(t);
    for (const name of ['r1', 'r2']) nodes.push(await startNode(redis.url, name));
    const [n1, n2] = nodes as [TestNode, TestNode];
    for (let round = 0; round < ROUNDS; round++) {
      const name = `racer${round}`;
      // Different letter case on each side: names are unique in any case.
      const [a, b] = await Promise.all([bot(n1.port, name), bot(n2.port, name.toUpperCase())]);
      clients.push(a.c, b.c);
      const kinds = [a.welcome, b.welcome].map((w) => (w.type === 'welcome' ? 'welcome' : w.code));
      assert.deepEqual(kinds.sort(), ['NAME_TAKEN', 'welcome'], `round ${round}: ${JSON.stringify(kinds)}`);
    }
    // Every winner is one user, seen alike on both nodes.
    const names = (n: TestNode) =>
      Array.from(n.server.hub.directory.all(), (s) => s.name)
        .filter((x) => x !== null)
        .sort();
    assert.equal(names(n1).length, ROUNDS);
    assert.deepEqual(names(n1), names(n2));
  },
);
