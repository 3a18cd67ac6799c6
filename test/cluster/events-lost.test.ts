import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinFrom } from '../helpers/moderation.js';
import { act, bot, nextWhere, SKIP, twoNodeFixture, until } from './harness.js';

test(
  'Redis back empty: users and a client resuming past the gap are told which events are gone',
  { skip: SKIP, timeout: 60_000 },
  async (t) => {
    const { redis, clients, admin, a, b } = await twoNodeFixture(t, { admin: { lazyConnect: true } });
    const ana = await bot(a.port, 'ana');
    clients.push(ana.c);
    const bia = await bot(b.port, 'bia');
    clients.push(bia.c);
    const dan = await joinFrom(a.port, 'dan', '127.0.0.1');
    clients.push(dan);
    act(ana.c, { type: 'say', text: 'before', ref: 'r' });
    const ack = await nextWhere(ana.c, (m) => m.type === 'ack');
    const since = ack.id as number;
    await nextWhere(bia.c, (m) => m.type === 'message' && m.text === 'before');

    // Three events Redis gave out that no node got (in flight when it died): the nodes' heartbeat
    // sees the counter; then Redis comes back with nothing.
    await admin.connect();
    const given = await admin.incrby('papo:seq', 3);
    await until(() => a.cluster.lastSeenId >= given && b.cluster.lastSeenId >= given, 'a heartbeat');
    await redis.stop();
    await nextWhere(ana.c, (m) => m.type === 'notice' && m.code === 'CLUSTER_DEGRADED');
    await redis.run();
    await nextWhere(ana.c, (m) => m.type === 'notice' && m.code === 'CLUSTER_RESTORED');
    await nextWhere(bia.c, (m) => m.type === 'notice' && m.code === 'CLUSTER_RESTORED');

    // The next event shows the gap: ids are not reused, and the users are told.
    act(bia.c, { type: 'say', text: 'after', ref: 's' });
    const after = await nextWhere(bia.c, (m) => m.type === 'ack');
    assert.ok((after.id as number) > given, `id ${after.id} reused`);
    const lost = { type: 'notice', code: 'EVENTS_LOST', from: given - 2, to: given };
    const told = await nextWhere(ana.c, (m) => m.type === 'notice' && m.code === 'EVENTS_LOST');
    assert.deepEqual({ ...told, message: '' }, { ...lost, message: '' });
    assert.match(told.message as string, new RegExp(`Events #${given - 2} to #${given} are gone`));
    await dan.lineMatching(
      `*** Events #${given - 2} to #${given} are gone: the chat's store no longer had them (it restarted empty, or this server fell too far behind), so what was said then is missing here.`,
    );

    // Ana's connection drops; she resumes on the other node from the last id she had.
    const token = ana.welcome.token as string;
    ana.c.destroy();
    await nextWhere(bia.c, (m) => m.type === 'leave' && m.name === 'ana');
    const back = await bot(b.port, 'ana', { token, since, lang: 'pt' });
    clients.push(back.c);
    assert.equal(back.welcome.type, 'welcome', JSON.stringify(back.welcome));
    const again = await nextWhere(back.c, (m) => m.type === 'notice');
    assert.deepEqual({ ...again, message: '' }, { ...lost, message: '' });
    assert.match(again.message as string, /^\*\*\* Os eventos #\d+ a #\d+ se perderam/);
    // A client that had everything up to after the gap is told nothing.
    back.c.destroy();
    await nextWhere(bia.c, (m) => m.type === 'leave' && m.name === 'ana');
    const later = await bot(a.port, 'ana', { token: back.welcome.token, since: after.id });
    clients.push(later.c);
    act(later.c, { type: 'ping', ref: 'p' });
    const next = await nextWhere(later.c, (m) => m.type === 'pong' || m.type === 'notice');
    assert.equal(next.type, 'pong');
  },
);
