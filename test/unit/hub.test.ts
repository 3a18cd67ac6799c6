import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from '../../src/core/hub.js';
import type { PublicEvent } from '../../src/core/events.js';
import type { HistoryResult, HistorySource } from '../../src/core/history.js';
import { manualClock, RecordingPeer } from '../helpers/recording-peer.js';

function setup() {
  let n = 0;
  const journal: PublicEvent[] = [];
  const clock = manualClock();
  const hub = new Hub({ clock, newToken: () => `tok${++n}`, journal: { record: (e) => journal.push(e) } });
  const join = (name: string) => {
    const peer = new RecordingPeer();
    const session = hub.attach(peer);
    hub.handle(session, { type: 'join', name });
    return { peer, session };
  };
  return { hub, clock, journal, join };
}

test('welcomes a user with the list of who is online and tells the others', () => {
  const { join } = setup();
  const ana = join('ana');
  const bob = join('bob');
  assert.deepEqual(bob.peer.take()[0], {
    type: 'welcome',
    name: 'bob',
    token: 'tok2',
    users: ['ana', 'bob'],
    resumed: false,
  });
  const [joinEvent] = ana.peer.take().slice(1);
  assert.equal(joinEvent?.type, 'join');
  assert.equal(joinEvent?.type === 'join' && joinEvent.name, 'bob');
});

test('relays a message to everyone but its author, who gets an ack with the same id', () => {
  const { hub, join, journal, clock } = setup();
  const ana = join('ana');
  const bob = join('bob');
  const carol = join('carol');
  for (const u of [ana, bob, carol]) u.peer.take();
  clock.t += 5;
  hub.handle(ana.session, { type: 'say', text: '  oi  ', ref: 7 });
  const [ack] = ana.peer.take();
  const [m1] = bob.peer.take();
  const [m2] = carol.peer.take();
  assert.equal(m1, m2, 'one event object is shared by every recipient');
  assert.deepEqual(m1, { type: 'message', id: 4, ts: clock.t, from: 'ana', text: 'oi' });
  assert.deepEqual(ack, { type: 'ack', ref: 7, id: 4, ts: clock.t, of: 'message' });
  assert.equal(journal.at(-1), m1);
});

test('rejects a name taken in another letter case and keeps the connection', () => {
  const { hub, join } = setup();
  join('Ana');
  const peer = new RecordingPeer();
  const s = hub.attach(peer);
  hub.handle(s, { type: 'join', name: 'ANA' });
  const [err] = peer.take();
  assert.equal(err?.type === 'error' && err.code, 'NAME_TAKEN');
  assert.equal(s.name, null);
  assert.equal(peer.closed, false);
  hub.handle(s, { type: 'join', name: 'ana2' });
  assert.equal(peer.take()[0]?.type, 'welcome');
});

test('refuses invalid names with the reason', () => {
  const { hub } = setup();
  const peer = new RecordingPeer();
  const s = hub.attach(peer);
  for (const [name, kind] of [
    ['', 'empty'],
    ['a b', 'bad_char'],
    ['ana\u200b', 'bad_char'],
    ['x'.repeat(33), 'too_long'],
  ] as const) {
    hub.handle(s, { type: 'join', name });
    const [e] = peer.take();
    assert.ok(e?.type === 'error' && e.code === 'NAME_INVALID' && e.detail.kind === 'name');
    assert.equal(e.detail.problem.kind, kind, name);
  }
});

test('delivers a private message to its recipient only, and confirms it to the sender', () => {
  const { hub, join } = setup();
  const ana = join('ana');
  const bob = join('bob');
  const carol = join('carol');
  for (const u of [ana, bob, carol]) u.peer.take();
  hub.handle(ana.session, { type: 'msg', to: 'BOB', text: 'psst' });
  assert.deepEqual(
    bob.peer.take().map((e) => e.type === 'private' && [e.from, e.to, e.text]),
    [['ana', 'bob', 'psst']],
  );
  assert.deepEqual(carol.peer.take(), []);
  const [ack] = ana.peer.take();
  assert.ok(ack?.type === 'ack' && ack.of === 'private' && ack.to === 'bob');
});

test('answers a private message to an unknown name with NO_SUCH_USER', () => {
  const { hub, join } = setup();
  const ana = join('ana');
  ana.peer.take();
  hub.handle(ana.session, { type: 'msg', to: 'zé', text: 'oi' });
  const [e] = ana.peer.take();
  assert.ok(e?.type === 'error' && e.code === 'NO_SUCH_USER');
});

test('refuses a message over 1024 UTF-8 bytes, saying how many it had', () => {
  const { hub, join } = setup();
  const ana = join('ana');
  const bob = join('bob');
  ana.peer.take();
  bob.peer.take();
  hub.handle(ana.session, { type: 'say', text: 'é'.repeat(513) });
  const [e] = ana.peer.take();
  assert.deepEqual(e, {
    type: 'error',
    code: 'MESSAGE_TOO_LONG',
    detail: { kind: 'size', bytes: 1026, limit: 1024 },
    ref: undefined,
  });
  assert.deepEqual(bob.peer.take(), []);
  hub.handle(ana.session, { type: 'say', text: 'é'.repeat(512) });
  assert.equal(bob.peer.take().length, 1);
});

test('renames a user and tells everyone; a case change of one’s own name is allowed', () => {
  const { hub, join } = setup();
  const ana = join('ana');
  const bob = join('bob');
  ana.peer.take();
  bob.peer.take();
  hub.handle(ana.session, { type: 'nick', name: 'Ana' });
  const [n] = bob.peer.take();
  assert.ok(n?.type === 'nick' && n.old === 'ana' && n.new === 'Ana');
  hub.handle(bob.session, { type: 'nick', name: 'ANA' });
  const [e] = bob.peer.take();
  assert.ok(e?.type === 'error' && e.code === 'NAME_TAKEN');
  assert.deepEqual(hub.userNames(), ['Ana', 'bob']);
});

test('announces a leave with its reason and frees the name', () => {
  const { hub, join } = setup();
  const ana = join('ana');
  const bob = join('bob');
  ana.peer.take();
  hub.detach(bob.session, 'disconnect');
  assert.equal(bob.peer.closed, true);
  const [l] = ana.peer.take();
  assert.ok(l?.type === 'leave' && l.name === 'bob' && l.reason === 'disconnect');
  join('bob');
  assert.deepEqual(hub.userNames(), ['ana', 'bob']);
  hub.detach(bob.session, 'disconnect'); // twice is harmless
});

test('gives a name back to its own session token, silently, and to nobody else', () => {
  const { hub, join } = setup();
  const ana = join('ana');
  const bob = join('bob');
  const token = ana.session.token as string;
  bob.peer.take();
  const thief = hub.attach(new RecordingPeer());
  hub.handle(thief, { type: 'join', name: 'ana', token: 'guess' });
  assert.equal(thief.name, null);
  const peer = new RecordingPeer();
  const again = hub.attach(peer);
  hub.handle(again, { type: 'join', name: 'ana', token });
  const [w] = peer.take();
  assert.ok(w?.type === 'welcome' && w.resumed && w.token !== token);
  assert.equal(ana.peer.closed, true);
  assert.deepEqual(bob.peer.take(), [], 'no leave or join is announced for a resumed session');
  assert.deepEqual(hub.userNames(), ['bob', 'ana']);
});

test('requires a name before anything but ping and quit', () => {
  const { hub } = setup();
  const peer = new RecordingPeer();
  const s = hub.attach(peer);
  hub.handle(s, { type: 'say', text: 'hi', ref: 'r' });
  hub.handle(s, { type: 'ping', ref: 1 });
  assert.deepEqual(peer.take(), [
    { type: 'error', code: 'NOT_JOINED', detail: { kind: 'none' }, ref: 'r' },
    { type: 'pong', ref: 1 },
  ]);
});

test('sanitises control characters in messages and keeps them out of other screens', () => {
  const { hub, join } = setup();
  const ana = join('ana');
  const bob = join('bob');
  bob.peer.take();
  hub.handle(ana.session, { type: 'say', text: 'a\x1b[2Jb\tc\u009bd' });
  const [m] = bob.peer.take();
  assert.ok(m?.type === 'message');
  assert.equal(m.text, 'a\uFFFD[2Jb c\uFFFDd');
});

test('shutdown sends a notice and bye to every connection, named or not', () => {
  const { hub, join } = setup();
  const ana = join('ana');
  const anon = new RecordingPeer();
  hub.attach(anon);
  ana.peer.take();
  hub.shutdown();
  for (const p of [ana.peer, anon]) {
    assert.deepEqual(p.types(), ['notice', 'bye']);
    assert.equal(p.closed, true);
  }
  assert.equal(hub.userCount, 0);
});

test('a search answered later reaches its user, unless they have left by then', () => {
  const pending: Array<(result: HistoryResult) => void> = [];
  const history: HistorySource = {
    recent: () => ({ ok: true, records: [] }),
    before: () => ({ ok: true, records: [] }),
    searchLater: (_query, _limit, done) => pending.push(done),
  };
  let n = 0;
  const hub = new Hub({ clock: manualClock(), newToken: () => `tok${++n}`, history });
  const join = (name: string) => {
    const peer = new RecordingPeer();
    const session = hub.attach(peer);
    hub.handle(session, { type: 'join', name });
    peer.take();
    return { peer, session };
  };
  const ana = join('ana');
  const bob = join('bob');
  ana.peer.take();
  hub.handle(ana.session, { type: 'search', query: ' bolo ', ref: 7 });
  hub.handle(bob.session, { type: 'search', query: 'bolo' });
  assert.deepEqual(ana.peer.take(), [], 'not answered yet');
  hub.handle(bob.session, { type: 'quit' });
  bob.peer.take();
  const found = { type: 'message', id: 1, ts: 1, from: 'ana', text: 'bolo' } as const;
  for (const done of pending) done({ ok: true, records: [found] });
  assert.deepEqual(ana.peer.take().at(-1), {
    type: 'history',
    kind: 'search',
    records: [found],
    more: false,
    query: 'bolo',
    ref: 7,
  });
  assert.deepEqual(bob.peer.take(), [], 'bob had left');
});
