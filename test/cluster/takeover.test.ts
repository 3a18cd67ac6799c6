import { test } from 'node:test';
import assert from 'node:assert/strict';
import { about, act, bot, nextWhere, recordUntilEnd, SKIP, twoNodeFixture, until } from './harness.js';

test(
  'a client taking its name over on another node while its old connection lives: the old node ends it without a second leave',
  { skip: SKIP, timeout: 30_000 },
  async (t) => {
    const { clients, admin, a, b } = await twoNodeFixture(t);
    const ana = await bot(a.port, 'ana');
    clients.push(ana.c);
    const olga = await bot(a.port, 'olga');
    clients.push(olga.c);
    const bia = await bot(b.port, 'bia');
    clients.push(bia.c);
    await until(() => a.server.hub.directory.find('bia') !== undefined, 'bia seen on a');
    const seenByOlga = recordUntilEnd(t, olga.c);
    const seenByBia = recordUntilEnd(t, bia.c);

    // Ana's connection to node a is half-open (alive as far as a knows); her client reaches b.
    const back = await bot(b.port, 'ana', { token: ana.welcome.token });
    clients.push(back.c);
    assert.equal(back.welcome.type, 'welcome', JSON.stringify(back.welcome));
    const bye = await nextWhere(ana.c, (m) => m.type === 'bye');
    assert.equal(bye.reason, 'replaced');
    await ana.c.closedByServer();

    // Node a knows ana is on b now: a private message from a reaches her there.
    await until(
      () => a.server.hub.remote?.nodeOf(a.server.hub.directory.find('ana')!) === 'b',
      'ana on b, seen from a',
    );
    act(olga.c, { type: 'msg', to: 'ana', text: 'still there?' });
    assert.equal((await nextWhere(back.c, (m) => m.type === 'private')).text, 'still there?');

    // Something of a's still sequencing a leave of ana (its session ending late) is refused by
    // the sequencer: the name is b's.
    a.server.hub.bus.publish({ type: 'leave', name: 'ana', reason: 'timeout', rooms: ['#geral'] } as never);
    act(back.c, { type: 'say', text: 'back', ref: 's' });
    await nextWhere(back.c, (m) => m.type === 'ack');
    for (const seen of [seenByOlga, seenByBia])
      await until(() => seen.some((m) => m.type === 'message' && m.text === 'back'), 'the message after');

    // Everyone saw ana leave once and come back, in that order, and never leave again.
    for (const seen of [seenByOlga, seenByBia]) {
      const story = seen.filter(about('ana')).map((m) => m.type);
      assert.deepEqual(story, ['leave', 'join'], JSON.stringify(seen));
    }
    assert.equal(JSON.parse((await admin.hget('papo:members', 'ana')) ?? '{}').node, 'b');
    assert.equal(await admin.hget('papo:claim:ana', 'node'), 'b');
    for (const node of [a, b]) assert.ok(node.server.hub.directory.find('ana'), `ana on ${node.name}`);
  },
);
