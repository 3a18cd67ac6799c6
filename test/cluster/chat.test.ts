import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterFixture, act, bot, FAST, nextWhere, SKIP, startNode, type TestNode } from './harness.js';

test('three nodes are one chat: rooms, private messages, /who and /rooms', { skip: SKIP }, async (t) => {
  const { redis, nodes, clients } = await clusterFixture(t);
  for (const name of ['n1', 'n2', 'n3']) nodes.push(await startNode(redis.url, name, FAST, true));
  const [n1, n2, n3] = nodes as [TestNode, TestNode, TestNode];
  const ana = await bot(n1.port, 'ana');
  clients.push(ana.c);
  assert.equal(ana.welcome.type, 'welcome', JSON.stringify(ana.welcome));
  const bia = await bot(n2.port, 'bia');
  clients.push(bia.c);
  assert.deepEqual(bia.welcome.users, ['ana', 'bia']);
  await nextWhere(ana.c, (m) => m.type === 'join' && m.name === 'bia');
  const cai = await bot(n3.port, 'cai');
  clients.push(cai.c);
  assert.deepEqual(cai.welcome.users, ['ana', 'bia', 'cai']);

  act(ana.c, { type: 'say', text: 'oi de n1', ref: 'r1' });
  const ack = await nextWhere(ana.c, (m) => m.type === 'ack');
  assert.equal(ack.ref, 'r1');
  const atBia = await nextWhere(bia.c, (m) => m.type === 'message');
  const atCai = await nextWhere(cai.c, (m) => m.type === 'message');
  assert.equal(atBia.text, 'oi de n1');
  assert.equal(atBia.id, ack.id);
  assert.equal(atCai.id, ack.id);

  act(cai.c, { type: 'who', ref: 'w' });
  const who = await nextWhere(cai.c, (m) => m.type === 'users');
  assert.deepEqual(who.users, ['ana', 'bia', 'cai']);

  act(bia.c, { type: 'join_room', room: '#rust' });
  await nextWhere(bia.c, (m) => m.type === 'room');
  act(cai.c, { type: 'join_room', room: '#rust' });
  const room = await nextWhere(cai.c, (m) => m.type === 'room');
  assert.deepEqual(room.users, ['bia', 'cai']);
  act(ana.c, { type: 'rooms', ref: 'x' });
  const rooms = await nextWhere(ana.c, (m) => m.type === 'rooms');
  assert.deepEqual(rooms.rooms, [
    { room: '#geral', users: 3, topic: '' },
    { room: '#rust', users: 2, topic: '' },
  ]);
  act(bia.c, { type: 'say', room: '#rust', text: 'só rust' });
  const rust = await nextWhere(cai.c, (m) => m.type === 'message');
  assert.equal(rust.room, '#rust');

  act(ana.c, { type: 'msg', to: 'CAI', text: 'psiu' });
  const priv = await nextWhere(cai.c, (m) => m.type === 'private');
  assert.equal(priv.from, 'ana');
  assert.equal(priv.text, 'psiu');

  act(bia.c, { type: 'nick', name: 'bea' });
  await nextWhere(ana.c, (m) => m.type === 'nick' && m.new === 'bea');
  act(cai.c, { type: 'msg', to: 'bea', text: 'oi bea' });
  assert.equal((await nextWhere(bia.c, (m) => m.type === 'private')).text, 'oi bea');

  // History: every node stored every event it got from the bus, with the same ids.
  const pages = [];
  for (const u of [ana, bia, cai]) {
    act(u.c, { type: 'history', ref: 'h' });
    const head = await nextWhere(u.c, (m) => m.type === 'history');
    const page = [head];
    for (let i = 0; i < (head.count as number); i++) page.push(await u.c.nextJson());
    pages.push(page);
  }
  assert.ok(JSON.stringify(pages[0]).includes('oi de n1'), JSON.stringify(pages[0]));
  assert.deepEqual(pages[1], pages[0]);
  assert.deepEqual(pages[2], pages[0]);

  // A node started late learns who is where from the snapshot.
  const n4 = await startNode(redis.url, 'n4');
  nodes.push(n4);
  const dia = await bot(n4.port, 'dia');
  clients.push(dia.c);
  assert.deepEqual(dia.welcome.users, ['ana', 'bea', 'cai', 'dia']);
  act(dia.c, { type: 'rooms', ref: 'x' });
  assert.deepEqual((await nextWhere(dia.c, (m) => m.type === 'rooms')).rooms, [
    { room: '#geral', users: 4, topic: '' },
    { room: '#rust', users: 2, topic: '' },
  ]);

  // A user who quits is gone everywhere, and the name is free on every node.
  act(bia.c, { type: 'quit' });
  const left = await nextWhere(cai.c, (m) => m.type === 'leave');
  assert.equal(left.name, 'bea');
  const again = await bot(n1.port, 'bea');
  clients.push(again.c);
  assert.equal(again.welcome.type, 'welcome', JSON.stringify(again.welcome));
  void n2;
});
