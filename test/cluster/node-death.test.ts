import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, bot, nextWhere, SKIP, spawnNode, startNode, TestRedis, type TestNode } from './harness.js';
import type { LineClient } from '../helpers/line-client.js';

test(
  'a node killed with -9: its users leave everywhere within 15 s, names freed, a token takes one back',
  { skip: SKIP, timeout: 60_000 },
  async (t) => {
    const redis = await TestRedis.start();
    const nodes: TestNode[] = [];
    const clients: LineClient[] = [];
    // The default heartbeat (3 s, alive 10 s): what an operator gets.
    const doomed = await spawnNode(redis.url, 'doomed');
    t.after(async () => {
      for (const c of clients) c.destroy();
      await doomed.kill();
      for (const n of nodes) await n.stop();
      await redis.destroy();
    });
    nodes.push(await startNode(redis.url, 'live1', { heartbeatMs: 3000, aliveMs: 10_000 }));
    nodes.push(await startNode(redis.url, 'live2', { heartbeatMs: 3000, aliveMs: 10_000 }));
    const [live1, live2] = nodes as [TestNode, TestNode];
    const watcher = await bot(live1.port, 'watcher');
    clients.push(watcher.c);
    const dan = await bot(doomed.port, 'dan');
    const eve = await bot(doomed.port, 'eve');
    clients.push(dan.c, eve.c);
    act(eve.c, { type: 'join_room', room: '#dev' });
    await nextWhere(eve.c, (m) => m.type === 'room');
    await nextWhere(watcher.c, (m) => m.type === 'join' && m.name === 'eve');

    const killedAt = Date.now();
    await doomed.kill('SIGKILL');
    // Dan's client reconnects at once to another node with its token and takes the name back.
    const back = await bot(live2.port, 'dan', { token: dan.welcome.token });
    clients.push(back.c);
    assert.equal(back.welcome.type, 'welcome', JSON.stringify(back.welcome));
    assert.equal(back.welcome.name, 'dan');
    // Without the token, the dead node's other user's name is taken until the node is found dead.
    const early = await bot(live2.port, 'eve');
    clients.push(early.c);
    assert.equal(early.welcome.code, 'NAME_TAKEN');

    await nextWhere(watcher.c, (m) => m.type === 'leave' && m.name === 'eve', 16_000);
    const took = Date.now() - killedAt;
    assert.ok(took < 15_000, `eve's departure took ${took} ms`);
    const eve2 = await bot(live2.port, 'eve');
    clients.push(eve2.c);
    assert.equal(eve2.welcome.type, 'welcome', JSON.stringify(eve2.welcome));
    act(watcher.c, { type: 'who', ref: 'w' });
    const who = await nextWhere(watcher.c, (m) => m.type === 'users');
    assert.deepEqual([...(who.users as string[])].sort(), ['dan', 'eve', 'watcher']);
    act(watcher.c, { type: 'rooms', ref: 'r' });
    const rooms = await nextWhere(watcher.c, (m) => m.type === 'rooms');
    assert.deepEqual(rooms.rooms, [{ room: '#geral', users: 3, topic: '' }]);
  },
);
