import { test } from 'node:test';
import assert from 'node:assert/strict';
import { act, bot, nextWhere, SKIP, twoNodeFixture } from './harness.js';

test(
  'a resume on the same node retires the old token cluster-wide: it takes nothing over on another node',
  { skip: SKIP, timeout: 30_000 },
  async (t) => {
    const { clients, admin, a, b } = await twoNodeFixture(t);
    const ana = await bot(a.port, 'ana');
    clients.push(ana.c);
    const bia = await bot(b.port, 'bia');
    clients.push(bia.c);
    const old = ana.welcome.token as string;
    assert.equal(await admin.hget('papo:claim:ana', 'token'), old);

    // Ana's connection hangs; her client connects again to the same node with its token.
    const back = await bot(a.port, 'ana', { token: old });
    clients.push(back.c);
    assert.equal(back.welcome.resumed, true, JSON.stringify(back.welcome));
    await nextWhere(ana.c, (m) => m.type === 'bye' && m.reason === 'replaced');
    const fresh = back.welcome.token as string;
    assert.notEqual(fresh, old);
    // One round trip on the same connection to Redis: the claim was retokened before it.
    act(back.c, { type: 'say', text: 'still here', ref: 'r' });
    await nextWhere(back.c, (m) => m.type === 'ack');
    assert.equal(await admin.hget('papo:claim:ana', 'token'), fresh);

    // Someone holding the old token (a copy of it) tries to take the name on the other node.
    const thief = await bot(b.port, 'ana', { token: old });
    clients.push(thief.c);
    assert.equal(thief.welcome.type, 'error', JSON.stringify(thief.welcome));
    assert.equal(thief.welcome.code, 'NAME_TAKEN');
    // Ana is still ana, everywhere.
    act(bia.c, { type: 'msg', to: 'ana', text: 'oi' });
    assert.equal((await nextWhere(back.c, (m) => m.type === 'private')).text, 'oi');
  },
);
