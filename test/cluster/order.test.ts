import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clusterFixture, act, bot, record, SKIP, startNode, until, type TestNode } from './harness.js';
import type { LineClient } from '../helpers/line-client.js';

const ROOMS = ['#a', '#b', '#c'];

test(
  'random says, joins and parts on random nodes: every user sees each room in one order',
  { skip: SKIP, timeout: 120_000 },
  async (t) => {
    const { redis, nodes, clients } = await clusterFixture(t);
    for (const name of ['p1', 'p2', 'p3']) nodes.push(await startNode(redis.url, name));
    const users: Array<{ name: string; c: LineClient; seen: Record<string, unknown>[] }> = [];
    for (let i = 0; i < 5; i++) {
      const u = await bot((nodes[i % 3] as TestNode).port, `u${i}`);
      clients.push(u.c);
      users.push({ name: `u${i}`, c: u.c, seen: record(u.c) });
    }
    const action = fc.record({
      user: fc.nat(users.length - 1),
      kind: fc.constantFrom('say', 'say', 'join', 'part'),
      room: fc.constantFrom(...ROOMS),
    });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), async (actions) => {
        round++;
        for (const u of users) u.seen.length = 0;
        for (const [k, a] of actions.entries()) {
          const u = users[a.user] as (typeof users)[number];
          if (a.kind === 'say') act(u.c, { type: 'say', room: a.room, text: `r${round}-${k}` });
          else if (a.kind === 'join') act(u.c, { type: 'join_room', room: a.room });
          else act(u.c, { type: 'part_room', room: a.room });
        }
        // A marker from everyone in the default room: once all have seen all, the round is done.
        for (const u of users) act(u.c, { type: 'say', text: `end${round}-${u.name}` });
        await until(
          () =>
            users.every(
              (u) =>
                u.seen.filter((m) => (m.type === 'message' || m.type === 'ack') && m.room === '#geral')
                  .length >= users.length,
            ),
          'markers',
        );
        const textOf = new Map<number, unknown>();
        for (const u of users) {
          const perRoom = new Map<string, number[]>();
          for (const m of u.seen) {
            if (m.type !== 'message' && m.type !== 'ack') continue;
            if (m.type === 'ack' && m.of !== 'message') continue;
            const ids = perRoom.get(m.room as string) ?? [];
            ids.push(m.id as number);
            perRoom.set(m.room as string, ids);
            if (m.type === 'message') {
              const known = textOf.get(m.id as number);
              assert.ok(known === undefined || known === m.text, `id ${m.id} is two messages`);
              textOf.set(m.id as number, m.text);
            }
          }
          // Ids are one sequence for all: a user sees each room's ids rising, so any two users
          // who both saw two messages saw them in the same order.
          for (const [room, ids] of perRoom)
            assert.deepEqual(
              ids,
              [...ids].sort((x, y) => x - y),
              `${u.name} in ${room}`,
            );
        }
        // And every node knows the same members of every room.
        const view = (n: TestNode) => JSON.stringify(n.server.hub.rooms.list());
        await until(
          () => nodes.every((n) => view(n) === view(nodes[0] as TestNode)),
          'same rooms everywhere',
          5000,
        );
      }),
      { numRuns: 15 },
    );
  },
);
