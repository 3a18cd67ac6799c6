import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub, type HubOptions } from '../../src/core/hub.js';
import type { ClientAction, HistoryRecord, PublicEvent, ServerEvent } from '../../src/core/events.js';
import type { HistoryResult, HistorySource, RecentResult } from '../../src/core/history.js';
import { roomKey } from '../../src/core/names.js';
import type { Session } from '../../src/core/session.js';
import { manualClock, RecordingPeer } from '../helpers/recording-peer.js';

interface User {
  peer: RecordingPeer;
  session: Session;
}

function setup(options: Partial<HubOptions> = {}) {
  let n = 0;
  const journal: PublicEvent[] = [];
  const clock = manualClock();
  const hub = new Hub({
    clock,
    newToken: () => `tok${++n}`,
    journal: { record: (e) => journal.push(e) },
    ...options,
  });
  /** A user who joined the chat, and whose welcome and replay have been read. */
  const join = (name: string): User => {
    const peer = new RecordingPeer();
    const session = hub.attach(peer);
    hub.handle(session, { type: 'join', name });
    return { peer, session };
  };
  const act = (u: User, action: ClientAction) => hub.handle(u.session, action);
  /** Forgets what these users received so far. */
  const quiet = (...users: User[]) => {
    for (const u of users) u.peer.take();
  };
  /** Joins `room`, and forgets what this user received so far (its answer included). */
  const enter = (u: User, room: string) => {
    act(u, { type: 'join_room', room });
    const got = u.peer.take();
    assert.equal(got.at(-1)?.type, 'room', JSON.stringify(got));
  };
  return { hub, clock, journal, join, act, quiet, enter };
}

/** The names of `room`'s members, from the hub's own view. */
function members(hub: Hub, room: string): string[] {
  return hub.rooms.get(room)?.memberNames() ?? [];
}

/** A message history in memory, fed by the hub's journal: the `HistorySource` port's test double. */
class MemoryHistory implements HistorySource {
  readonly records: HistoryRecord[] = [];
  readonly journal = {
    record: (e: PublicEvent) => {
      if (e.type === 'message' || e.type === 'action') this.records.push(e);
    },
  };
  recent(room: string, limit: number, since?: number): RecentResult {
    const all = this.records.filter((r) => roomKey(r.room) === roomKey(room) && r.id > (since ?? 0));
    return { ok: true, records: all.slice(Math.max(0, all.length - limit)), more: all.length > limit };
  }
  beforeLater(room: string, before: number, limit: number, done: (r: HistoryResult) => void): void {
    const all = this.records.filter((r) => roomKey(r.room) === roomKey(room) && r.id < before);
    done({ ok: true, records: all.slice(Math.max(0, all.length - limit)) });
  }
  searchLater(): void {
    throw new Error('not used');
  }
}

// ---- The chat as it was before rooms: one room, everyone in it --------------------------------

test('welcomes a user with the list of who is online and tells the others', () => {
  const { join, clock } = setup();
  const ana = join('ana');
  const bob = join('bob');
  assert.deepEqual(bob.peer.take(), [
    {
      type: 'welcome',
      name: 'bob',
      token: 'tok2',
      room: '#geral',
      users: ['ana', 'bob'],
      userCount: 2,
      resumed: false,
    },
  ]);
  assert.deepEqual(ana.peer.take().slice(1), [
    { type: 'join', id: 2, ts: clock.t, room: '#geral', name: 'bob', connected: true },
  ]);
});

test('relays a message to everyone but its author, who gets an ack with the same id', () => {
  const { hub, join, journal, clock, quiet } = setup();
  const ana = join('ana');
  const bob = join('bob');
  const carol = join('carol');
  quiet(ana, bob, carol);
  clock.t += 5;
  hub.handle(ana.session, { type: 'say', text: '  oi  ', ref: 7 });
  const [ack] = ana.peer.take();
  const [m1] = bob.peer.take();
  const [m2] = carol.peer.take();
  assert.equal(m1, m2, 'one event object is shared by every recipient');
  assert.deepEqual(m1, { type: 'message', id: 4, ts: clock.t, room: '#geral', from: 'ana', text: 'oi' });
  assert.deepEqual(ack, { type: 'ack', ref: 7, id: 4, ts: clock.t, of: 'message', room: '#geral' });
  assert.equal(journal.at(-1), m1);
});

test('numbers events through the bus in one sequence, continuing from firstEventId', () => {
  const { join, journal, act, hub } = setup({ firstEventId: 100 });
  const ana = join('ana');
  act(ana, { type: 'say', text: 'um' });
  act(ana, { type: 'join_room', room: '#b' });
  act(ana, { type: 'say', text: 'dois', room: '#b' });
  assert.deepEqual(
    journal.map((e) => [e.id, e.type]),
    [
      [100, 'join'],
      [101, 'message'],
      [102, 'join'],
      [103, 'message'],
    ],
  );
  assert.equal(hub.nextEventId, 104);
});

test('rejects a name taken in another letter case and keeps the connection', () => {
  const { hub, join } = setup();
  join('Ana');
  const peer = new RecordingPeer();
  const s = hub.attach(peer);
  hub.handle(s, { type: 'join', name: 'ANA' });
  assert.deepEqual(peer.take(), [
    { type: 'error', code: 'NAME_TAKEN', detail: { kind: 'name_taken', name: 'Ana' }, ref: undefined },
  ]);
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
    ['ana\u034f', 'bad_char'],
    ['\u3164', 'bad_char'],
    ['x'.repeat(33), 'too_long'],
  ] as const) {
    hub.handle(s, { type: 'join', name });
    const [e] = peer.take();
    assert.ok(e?.type === 'error' && e.code === 'NAME_INVALID' && e.detail.kind === 'name');
    assert.equal(e.detail.problem.kind, kind, name);
  }
});

test('delivers a private message to its recipient only, and confirms it to the sender', () => {
  const { hub, join, quiet, clock } = setup();
  const ana = join('ana');
  const bob = join('bob');
  const carol = join('carol');
  quiet(ana, bob, carol);
  hub.handle(ana.session, { type: 'msg', to: 'BOB', text: 'psst', ref: 'p' });
  assert.deepEqual(bob.peer.take(), [
    { type: 'private', id: 4, ts: clock.t, from: 'ana', to: 'bob', text: 'psst' },
  ]);
  assert.deepEqual(carol.peer.take(), []);
  assert.deepEqual(ana.peer.take(), [
    { type: 'ack', ref: 'p', id: 4, ts: clock.t, of: 'private', to: 'bob', text: 'psst' },
  ]);
});

test('answers a private message to an unknown name with NO_SUCH_USER', () => {
  const { hub, join } = setup();
  const ana = join('ana');
  ana.peer.take();
  hub.handle(ana.session, { type: 'msg', to: 'zé', text: 'oi' });
  assert.deepEqual(ana.peer.take(), [
    { type: 'error', code: 'NO_SUCH_USER', detail: { kind: 'user', name: 'zé' }, ref: undefined },
  ]);
});

test('refuses a message over 1024 UTF-8 bytes, saying how many it had', () => {
  const { hub, join, quiet } = setup();
  const ana = join('ana');
  const bob = join('bob');
  quiet(ana, bob);
  hub.handle(ana.session, { type: 'say', text: 'é'.repeat(513) });
  assert.deepEqual(ana.peer.take(), [
    {
      type: 'error',
      code: 'MESSAGE_TOO_LONG',
      detail: { kind: 'size', bytes: 1026, limit: 1024 },
      ref: undefined,
    },
  ]);
  assert.deepEqual(bob.peer.take(), []);
  hub.handle(ana.session, { type: 'say', text: 'é'.repeat(512) });
  assert.equal(bob.peer.take().length, 1);
});

test('renames a user and tells everyone and the user; a case change of one’s own name is allowed', () => {
  const { hub, join, quiet, clock } = setup();
  const ana = join('ana');
  const bob = join('bob');
  quiet(ana, bob);
  hub.handle(ana.session, { type: 'nick', name: 'Ana', ref: 'n' });
  const nick = { type: 'nick', id: 3, ts: clock.t, old: 'ana', new: 'Ana', rooms: ['#geral'] };
  assert.deepEqual(bob.peer.take(), [nick]);
  assert.deepEqual(ana.peer.take(), [
    nick,
    { type: 'ack', ref: 'n', id: 3, ts: clock.t, of: 'nick', name: 'Ana' },
  ]);
  hub.handle(bob.session, { type: 'nick', name: 'ANA' });
  const [e] = bob.peer.take();
  assert.ok(e?.type === 'error' && e.code === 'NAME_TAKEN');
  hub.handle(bob.session, { type: 'nick', name: 'bob' });
  assert.ok(bob.peer.take()[0]?.type === 'error', 'the same name again is not a rename');
  assert.deepEqual(hub.userNames(), ['Ana', 'bob']);
  assert.equal(hub.findUser('ANA'), ana.session);
});

test('announces a leave with its reason and frees the name', () => {
  const { hub, join, clock } = setup();
  const ana = join('ana');
  const bob = join('bob');
  ana.peer.take();
  hub.detach(bob.session, 'disconnect');
  assert.equal(bob.peer.closed, true);
  assert.deepEqual(ana.peer.take(), [
    { type: 'leave', id: 3, ts: clock.t, name: 'bob', reason: 'disconnect', rooms: ['#geral'] },
  ]);
  join('bob');
  assert.deepEqual(hub.userNames(), ['ana', 'bob']);
  hub.detach(bob.session, 'disconnect'); // twice is harmless
  assert.deepEqual(
    ana.peer.take().map((e) => e.type),
    ['join'],
  );
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
  assert.deepEqual(peer.take(), [
    {
      type: 'welcome',
      name: 'ana',
      token: 'tok3',
      room: '#geral',
      users: ['bob', 'ana'],
      userCount: 2,
      resumed: true,
    },
  ]);
  assert.equal(ana.peer.closed, true);
  assert.deepEqual(ana.peer.take().at(-1), { type: 'bye', reason: 'replaced' });
  assert.deepEqual(bob.peer.take(), [], 'no leave or join is announced for a resumed session');
  assert.deepEqual(hub.userNames(), ['bob', 'ana']);
  hub.handle(bob.session, { type: 'say', text: 'oi' });
  assert.deepEqual(
    peer.take().map((e) => e.type),
    ['message'],
    'the new connection gets what is said',
  );
  assert.deepEqual(ana.peer.take(), [], 'the replaced connection gets nothing more');
});

test('a resume in another letter case keeps the name as the others know it', () => {
  const { hub, join, quiet } = setup();
  const ana = join('ana');
  const bob = join('bob');
  quiet(ana, bob);
  const peer = new RecordingPeer();
  const again = hub.attach(peer);
  hub.handle(again, { type: 'join', name: 'ANA', token: ana.session.token as string });
  assert.deepEqual(peer.take()[0], {
    type: 'welcome',
    name: 'ana',
    token: 'tok3',
    room: '#geral',
    users: ['bob', 'ana'],
    userCount: 2,
    resumed: true,
  });
  hub.handle(again, { type: 'say', text: 'oi' });
  assert.deepEqual(
    bob.peer.take().map((e) => e.type === 'message' && e.from),
    ['ana'],
    'no silent rename: bob was told of no nick',
  );
});

test('requires a name before anything but ping and quit', () => {
  const { hub } = setup();
  const peer = new RecordingPeer();
  const s = hub.attach(peer);
  hub.handle(s, { type: 'say', text: 'hi', ref: 'r' });
  hub.handle(s, { type: 'join_room', room: '#a', ref: 'j' });
  hub.handle(s, { type: 'ping', ref: 1 });
  assert.deepEqual(peer.take(), [
    { type: 'error', code: 'NOT_JOINED', detail: { kind: 'none' }, ref: 'r' },
    { type: 'error', code: 'NOT_JOINED', detail: { kind: 'none' }, ref: 'j' },
    { type: 'pong', ref: 1 },
  ]);
  hub.handle(s, { type: 'quit' });
  assert.deepEqual(peer.take(), [{ type: 'bye', reason: 'quit' }]);
  assert.equal(peer.closed, true);
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
  const pending: Array<{ rooms: string[]; done: (result: HistoryResult) => void }> = [];
  const history: HistorySource = {
    recent: () => ({ ok: true, records: [], more: false }),
    beforeLater: (_room, _before, _limit, done) => done({ ok: true, records: [] }),
    searchLater: (rooms, _query, _limit, done) => pending.push({ rooms, done }),
  };
  const { join, act, quiet, enter, clock } = setup({ history });
  const ana = join('ana');
  const bob = join('bob');
  enter(ana, '#bolos');
  quiet(ana, bob);
  act(ana, { type: 'search', query: ' bolo ', ref: 7 });
  act(ana, { type: 'search', query: 'bolo', all: true });
  act(bob, { type: 'search', query: 'bolo' });
  assert.deepEqual(
    pending.map((p) => p.rooms),
    [['#geral'], ['#geral', '#bolos'], ['#geral']],
    'a search covers the room asked for (the default room for JSON), or all of the user’s with --all',
  );
  assert.deepEqual(ana.peer.take(), [], 'not answered yet');
  act(bob, { type: 'quit' });
  bob.peer.take();
  const found = { type: 'message', id: 1, ts: 1, room: '#geral', from: 'ana', text: 'bolo' } as const;
  for (const p of pending) p.done({ ok: true, records: [found] });
  assert.deepEqual(ana.peer.take(), [
    { type: 'leave', id: 4, ts: clock.t, name: 'bob', reason: 'quit', rooms: ['#geral'] },
    {
      type: 'history',
      kind: 'search',
      records: [found],
      more: false,
      query: 'bolo',
      ref: 7,
    },
    { type: 'history', kind: 'search', records: [found], more: false, query: 'bolo' },
  ]);
  assert.deepEqual(bob.peer.take(), [], 'bob had left');
});

test('a search of a room the user is not in is refused', () => {
  const history: HistorySource = {
    recent: () => ({ ok: true, records: [], more: false }),
    beforeLater: () => assert.fail('not asked'),
    searchLater: () => assert.fail('not asked'),
  };
  const { join, act, enter, quiet } = setup({ history });
  const ana = join('ana');
  const bob = join('bob');
  enter(bob, '#b');
  quiet(ana);
  act(ana, { type: 'search', query: 'x', room: '#b', ref: 1 });
  act(ana, { type: 'history', room: '#b', ref: 2 });
  assert.deepEqual(ana.peer.take(), [
    { type: 'error', code: 'NOT_IN_ROOM', detail: { kind: 'room', room: '#b' }, ref: 1 },
    { type: 'error', code: 'NOT_IN_ROOM', detail: { kind: 'room', room: '#b' }, ref: 2 },
  ]);
});

// ---- Rooms (#12) ------------------------------------------------------------------------------

test('join_room creates a room and makes it the current one', () => {
  const { hub, join, act, clock, journal } = setup();
  const ana = join('ana');
  ana.peer.take();
  act(ana, { type: 'join_room', room: '#Rust', ref: 'j' });
  assert.deepEqual(ana.peer.take(), [
    { type: 'room', room: '#Rust', topic: '', users: ['ana'], userCount: 1, ref: 'j' },
  ]);
  assert.equal(ana.session.currentRoom, '#Rust');
  assert.deepEqual(
    ana.session.rooms.map((r) => r.name),
    ['#geral', '#Rust'],
  );
  assert.deepEqual(journal.at(-1), { type: 'join', id: 2, ts: clock.t, room: '#Rust', name: 'ana' });
  assert.deepEqual(hub.rooms.list(), [
    { room: '#geral', users: 1, topic: '' },
    { room: '#Rust', users: 1, topic: '' },
  ]);
});

test('members of a room get a join naming it; the joiner gets the room, then its replay', () => {
  const history = new MemoryHistory();
  const { join, act, quiet, clock, enter } = setup({ history, journal: history.journal });
  const ana = join('ana');
  const bob = join('bob');
  const carol = join('carol');
  enter(ana, '#rust');
  act(ana, { type: 'say', text: 'crabs', room: '#rust' });
  quiet(ana, bob, carol);
  act(bob, { type: 'join_room', room: '#RUST' });
  assert.deepEqual(ana.peer.take(), [{ type: 'join', id: 6, ts: clock.t, room: '#rust', name: 'bob' }]);
  assert.deepEqual(bob.peer.take(), [
    { type: 'room', room: '#rust', topic: '', users: ['ana', 'bob'], userCount: 2, ref: undefined },
    {
      type: 'history',
      kind: 'replay',
      room: '#rust',
      records: [{ type: 'message', id: 5, ts: clock.t, room: '#rust', from: 'ana', text: 'crabs' }],
      more: false,
    },
  ]);
  assert.deepEqual(carol.peer.take(), [], 'a user outside the room hears nothing of it');
});

test('join_room of a room one is in only makes it current, with no notice to others', () => {
  const { join, act, quiet, enter, journal } = setup();
  const ana = join('ana');
  const bob = join('bob');
  enter(ana, '#a');
  enter(bob, '#a');
  quiet(ana, bob);
  const events = journal.length;
  act(ana, { type: 'join_room', room: '#geral', ref: 1 });
  assert.deepEqual(ana.peer.take(), [
    { type: 'room', room: '#geral', topic: '', users: ['ana', 'bob'], userCount: 2, ref: 1 },
  ]);
  assert.equal(ana.session.currentRoom, '#geral');
  act(ana, { type: 'join_room', room: '#A' });
  assert.deepEqual(ana.peer.take(), [
    { type: 'room', room: '#a', topic: '', users: ['ana', 'bob'], userCount: 2, ref: undefined },
  ]);
  assert.equal(ana.session.currentRoom, '#a');
  assert.deepEqual(bob.peer.take(), []);
  assert.equal(journal.length, events, 'switching rooms is not an event');
});

test('part_room tells the room’s members and the parter, with the reason, and acks it', () => {
  const { hub, join, act, quiet, enter, clock } = setup();
  const ana = join('ana');
  const bob = join('bob');
  const carol = join('carol');
  enter(ana, '#a');
  enter(bob, '#a');
  act(ana, { type: 'join_room', room: '#geral' }); // #a is not ana's current room
  quiet(ana, bob, carol);
  act(ana, { type: 'part_room', room: '#a', reason: ' lunch\x07 ', ref: 'p' });
  const part = { type: 'part', id: 6, ts: clock.t, room: '#a', name: 'ana', reason: 'lunch\uFFFD' };
  assert.deepEqual(bob.peer.take(), [part]);
  assert.deepEqual(ana.peer.take(), [
    part,
    { type: 'ack', ref: 'p', id: 6, ts: clock.t, of: 'part_room', room: '#a' },
  ]);
  assert.deepEqual(carol.peer.take(), []);
  assert.equal(ana.session.currentRoom, '#geral', 'parting another room keeps the current one');
  assert.deepEqual(members(hub, '#a'), ['bob']);
  act(bob, { type: 'part_room', room: '#a' });
  assert.deepEqual(bob.peer.take()[0], { type: 'part', id: 7, ts: clock.t, room: '#a', name: 'bob' });
});

test('parting the current room makes the next one current, or else the one before', () => {
  const { join, act, enter } = setup();
  const ana = join('ana');
  enter(ana, '#a');
  enter(ana, '#b');
  enter(ana, '#c');
  act(ana, { type: 'join_room', room: '#b' });
  ana.peer.take();
  act(ana, { type: 'part_room', room: '#b' });
  assert.deepEqual(ana.peer.take().slice(2), [
    { type: 'room', room: '#c', topic: '', users: ['ana'], userCount: 1 },
  ]);
  assert.equal(ana.session.currentRoom, '#c');
  act(ana, { type: 'part_room', room: '#c' });
  assert.deepEqual(ana.peer.take().slice(2), [
    { type: 'room', room: '#a', topic: '', users: ['ana'], userCount: 1 },
  ]);
  assert.equal(ana.session.currentRoom, '#a');
});

test('parting one’s last room puts the user back in the default room', () => {
  const { hub, join, act, quiet, enter, clock } = setup();
  const ana = join('ana');
  const bob = join('bob');
  enter(ana, '#a');
  act(ana, { type: 'part_room', room: '#geral' });
  quiet(ana, bob);
  act(ana, { type: 'part_room', room: '#a', ref: 'p' });
  assert.deepEqual(ana.peer.take(), [
    { type: 'part', id: 5, ts: clock.t, room: '#a', name: 'ana' },
    { type: 'ack', ref: 'p', id: 5, ts: clock.t, of: 'part_room', room: '#a' },
    { type: 'room', room: '#geral', topic: '', users: ['bob', 'ana'], userCount: 2, ref: undefined },
  ]);
  assert.deepEqual(bob.peer.take(), [{ type: 'join', id: 6, ts: clock.t, room: '#geral', name: 'ana' }]);
  assert.equal(ana.session.currentRoom, '#geral');
  assert.deepEqual(hub.rooms.list(), [{ room: '#geral', users: 2, topic: '' }]);
});

test('parting the default room when it is one’s only room is refused with LAST_ROOM', () => {
  const { hub, join, act, quiet } = setup();
  const ana = join('ana');
  const bob = join('bob');
  quiet(ana, bob);
  act(ana, { type: 'part_room', ref: 1 });
  act(ana, { type: 'part_room', room: '#GERAL', reason: 'bye' });
  const last = { type: 'error', code: 'LAST_ROOM', detail: { kind: 'room', room: '#geral' } };
  assert.deepEqual(ana.peer.take(), [
    { ...last, ref: 1 },
    { ...last, ref: undefined },
  ]);
  assert.deepEqual(bob.peer.take(), []);
  assert.deepEqual(members(hub, '#geral'), ['ana', 'bob']);
});

test('parting a room one is not in, or that does not exist, is refused', () => {
  const { join, act, quiet, enter } = setup();
  const ana = join('ana');
  const bob = join('bob');
  enter(bob, '#b');
  quiet(ana, bob);
  act(ana, { type: 'part_room', room: '#b' });
  act(ana, { type: 'part_room', room: '#nope' });
  assert.deepEqual(ana.peer.take(), [
    { type: 'error', code: 'NOT_IN_ROOM', detail: { kind: 'room', room: '#b' }, ref: undefined },
    { type: 'error', code: 'NO_SUCH_ROOM', detail: { kind: 'room', room: '#nope' }, ref: undefined },
  ]);
  assert.deepEqual(bob.peer.take(), []);
});

test('a room without members leaves the list, and keeps its spelling and topic when recreated', () => {
  const { hub, join, act, quiet, enter, journal } = setup();
  const ana = join('ana');
  const bob = join('bob');
  enter(ana, '#Rust');
  act(ana, { type: 'topic', room: '#Rust', text: 'crabs' });
  act(ana, { type: 'part_room', room: '#Rust' });
  assert.deepEqual(hub.rooms.list(), [{ room: '#geral', users: 2, topic: '' }]);
  assert.equal(hub.rooms.get('#rust'), undefined);
  quiet(ana, bob);
  act(bob, { type: 'join_room', room: '#RUST' });
  assert.deepEqual(bob.peer.take(), [
    { type: 'room', room: '#Rust', topic: 'crabs', users: ['bob'], userCount: 1, ref: undefined },
  ]);
  const joined = journal.at(-1);
  assert.ok(joined?.type === 'join');
  assert.equal(joined.room, '#Rust', 'the join is recorded under the room’s own spelling');
  act(ana, { type: 'join_room', room: '#rust' });
  assert.deepEqual(
    bob.peer.take().map((e) => e.type === 'join' && e.room),
    ['#Rust'],
  );
  act(ana, { type: 'rooms', ref: 'r' });
  assert.deepEqual(ana.peer.take().at(-1), {
    type: 'rooms',
    rooms: [
      { room: '#geral', users: 2, topic: '' },
      { room: '#Rust', users: 2, topic: 'crabs' },
    ],
    ref: 'r',
  });
});

test('rooms are listed with most members first, then by name', () => {
  const { hub, join, enter } = setup();
  const ana = join('ana');
  const bob = join('bob');
  enter(ana, '#zeta');
  enter(bob, '#zeta');
  enter(ana, '#beta');
  enter(bob, '#alfa');
  assert.deepEqual(
    hub.rooms.list().map((r) => [r.room, r.users]),
    [
      ['#geral', 2],
      ['#zeta', 2],
      ['#alfa', 1],
      ['#beta', 1],
    ],
  );
});

test('a topic is shown, set (members told, the setter acked), and cleared', () => {
  const { join, act, quiet, enter, clock } = setup();
  const ana = join('ana');
  const bob = join('bob');
  const carol = join('carol');
  enter(ana, '#a');
  enter(bob, '#a');
  quiet(ana, bob, carol);
  act(carol, { type: 'topic', room: '#a', ref: 1 });
  assert.deepEqual(carol.peer.take(), [{ type: 'topic_info', room: '#a', text: '', ref: 1 }]);
  act(ana, { type: 'topic', room: '#a', text: '  só\x1b[31m Rust  ', ref: 't' });
  const topic = { type: 'topic', id: 6, ts: clock.t, room: '#a', by: 'ana', text: 'só\uFFFD[31m Rust' };
  assert.deepEqual(bob.peer.take(), [topic]);
  assert.deepEqual(ana.peer.take(), [
    topic,
    { type: 'ack', ref: 't', id: 6, ts: clock.t, of: 'topic', room: '#a' },
  ]);
  assert.deepEqual(carol.peer.take(), [], 'only the room’s members are told');
  act(carol, { type: 'topic', room: '#A' });
  assert.deepEqual(carol.peer.take(), [
    { type: 'topic_info', room: '#a', text: 'só\uFFFD[31m Rust', ref: undefined },
  ]);
  act(bob, { type: 'topic', room: '#a', text: '   ' });
  assert.deepEqual(ana.peer.take(), [{ type: 'topic', id: 7, ts: clock.t, room: '#a', by: 'bob', text: '' }]);
  act(carol, { type: 'topic', room: '#a' });
  assert.deepEqual(carol.peer.take(), [{ type: 'topic_info', room: '#a', text: '', ref: undefined }]);
});

test('a topic is set only by a member, within the message limit; a missing room has none', () => {
  const { join, act, quiet, enter } = setup();
  const ana = join('ana');
  const bob = join('bob');
  enter(ana, '#a');
  quiet(ana, bob);
  act(bob, { type: 'topic', room: '#a', text: 'mine' });
  act(bob, { type: 'topic', room: '#zz' });
  act(ana, { type: 'topic', room: '#a', text: 'x'.repeat(1025) });
  assert.deepEqual(bob.peer.take(), [
    { type: 'error', code: 'NOT_IN_ROOM', detail: { kind: 'room', room: '#a' }, ref: undefined },
    { type: 'error', code: 'NO_SUCH_ROOM', detail: { kind: 'room', room: '#zz' }, ref: undefined },
  ]);
  assert.deepEqual(ana.peer.take(), [
    {
      type: 'error',
      code: 'MESSAGE_TOO_LONG',
      detail: { kind: 'size', bytes: 1025, limit: 1024 },
      ref: undefined,
    },
  ]);
});

test('who names the members of any room, the default room when none is named', () => {
  const { join, act, quiet, enter } = setup();
  const ana = join('ana');
  const bob = join('bob');
  enter(ana, '#a');
  quiet(ana, bob);
  act(bob, { type: 'who', room: '#A', ref: 1 });
  act(bob, { type: 'who' });
  act(bob, { type: 'who', room: '#nope' });
  assert.deepEqual(bob.peer.take(), [
    { type: 'users', room: '#a', users: ['ana'], ref: 1 },
    { type: 'users', room: '#geral', users: ['ana', 'bob'], ref: undefined },
    { type: 'error', code: 'NO_SUCH_ROOM', detail: { kind: 'room', room: '#nope' }, ref: undefined },
  ]);
});

test('saying something in a room one is not in is refused with NOT_IN_ROOM', () => {
  const { join, act, quiet, enter } = setup();
  const ana = join('ana');
  const bob = join('bob');
  enter(bob, '#b');
  quiet(ana, bob);
  act(ana, { type: 'say', text: 'oi', room: '#b', ref: 1 });
  act(ana, { type: 'me', text: 'waves', room: '#B' });
  act(ana, { type: 'say', text: 'oi', room: '#nope' });
  assert.deepEqual(ana.peer.take(), [
    { type: 'error', code: 'NOT_IN_ROOM', detail: { kind: 'room', room: '#b' }, ref: 1 },
    { type: 'error', code: 'NOT_IN_ROOM', detail: { kind: 'room', room: '#B' }, ref: undefined },
    { type: 'error', code: 'NO_SUCH_ROOM', detail: { kind: 'room', room: '#nope' }, ref: undefined },
  ]);
  assert.deepEqual(bob.peer.take(), []);
});

test('a message goes to its room’s members only, whichever room is current for them', () => {
  const { join, act, quiet, enter, clock } = setup();
  const ana = join('ana');
  const bob = join('bob');
  const carol = join('carol');
  enter(ana, '#a');
  enter(bob, '#a');
  act(bob, { type: 'join_room', room: '#geral' });
  quiet(ana, bob, carol);
  act(ana, { type: 'me', text: 'waves', room: '#a', ref: 2 });
  assert.deepEqual(bob.peer.take(), [
    { type: 'action', id: 6, ts: clock.t, room: '#a', from: 'ana', text: 'waves' },
  ]);
  assert.deepEqual(ana.peer.take(), [{ type: 'ack', ref: 2, id: 6, ts: clock.t, of: 'action', room: '#a' }]);
  assert.deepEqual(carol.peer.take(), []);
});

test('refuses room names that are not # and 1–32 visible name characters', () => {
  const { hub, join, act } = setup();
  const ana = join('ana');
  ana.peer.take();
  const cases = [
    ['rust', { kind: 'no_hash' }],
    ['#', { kind: 'empty' }],
    ['#a b', { kind: 'bad_char', codePoint: 0x20 }],
    ['#' + 'x'.repeat(33), { kind: 'too_long', chars: 33, max: 32 }],
    ['#x\u200b', { kind: 'bad_char', codePoint: 0x200b }],
    ['#ana\u034f', { kind: 'bad_char', codePoint: 0x34f }],
    ['#a#b', { kind: 'bad_char', codePoint: 0x23 }],
  ] as const;
  for (const [room, problem] of cases) {
    act(ana, { type: 'join_room', room });
    assert.deepEqual(
      ana.peer.take(),
      [{ type: 'error', code: 'ROOM_INVALID', detail: { kind: 'room_name', problem }, ref: undefined }],
      room,
    );
  }
  act(ana, { type: 'join_room', room: '#' + 'x'.repeat(32) });
  assert.equal(ana.peer.take()[0]?.type, 'room', '32 characters are accepted');
  assert.equal(hub.rooms.size, 2);
});

test('--max-rooms refuses a new room with TOO_MANY_ROOMS; existing rooms can still be joined', () => {
  const { hub, join, act, enter } = setup({ maxRooms: 2 });
  const ana = join('ana');
  const bob = join('bob');
  enter(ana, '#a');
  act(bob, { type: 'join_room', room: '#b', ref: 1 });
  assert.deepEqual(bob.peer.take().at(-1), {
    type: 'error',
    code: 'TOO_MANY_ROOMS',
    detail: { kind: 'limit', limit: 2 },
    ref: 1,
  });
  enter(bob, '#a');
  act(ana, { type: 'part_room', room: '#a' });
  act(bob, { type: 'part_room', room: '#a' });
  enter(bob, '#b');
  assert.equal(hub.rooms.size, 2);
});

test('--max-rooms-per-user refuses one room too many with ROOM_LIMIT', () => {
  const { join, act, enter } = setup({ maxRoomsPerUser: 3 });
  const ana = join('ana');
  enter(ana, '#a');
  enter(ana, '#b');
  act(ana, { type: 'join_room', room: '#c' });
  assert.deepEqual(ana.peer.take(), [
    { type: 'error', code: 'ROOM_LIMIT', detail: { kind: 'limit', limit: 3 }, ref: undefined },
  ]);
  act(ana, { type: 'join_room', room: '#a' });
  assert.equal(ana.peer.take()[0]?.type, 'room', 'switching to a room one is in is no new room');
  act(ana, { type: 'part_room', room: '#b' });
  ana.peer.take();
  enter(ana, '#c');
});

/** ana in #geral, #a and #b; bob in #geral and #a; carol in #b only; dave in #d only. */
function fourUsersInRooms() {
  const s = setup();
  const { join, act, enter, quiet } = s;
  const ana = join('ana');
  const bob = join('bob');
  const carol = join('carol');
  const dave = join('dave');
  enter(ana, '#a');
  enter(ana, '#b');
  enter(bob, '#a');
  enter(carol, '#b');
  enter(dave, '#d');
  act(carol, { type: 'part_room', room: '#geral' });
  act(dave, { type: 'part_room', room: '#geral' });
  quiet(ana, bob, carol, dave);
  /** `id`: the id of the next event. */
  return { ...s, ana, bob, carol, dave, id: s.hub.nextEventId };
}

test('a leave reaches each user who shared any room with the leaver exactly once, and nobody else', () => {
  const { hub, ana, bob, carol, dave, act, clock, id } = fourUsersInRooms();
  act(ana, { type: 'quit' });
  const leave = {
    type: 'leave',
    id,
    ts: clock.t,
    name: 'ana',
    reason: 'quit',
    rooms: ['#geral', '#a', '#b'],
  };
  assert.deepEqual(bob.peer.take(), [leave]);
  assert.deepEqual(carol.peer.take(), [leave]);
  assert.deepEqual(dave.peer.take(), []);
  assert.deepEqual(ana.peer.take(), [{ type: 'bye', reason: 'quit' }]);
  assert.deepEqual(
    hub.rooms.list().map((r) => [r.room, r.users]),
    [
      ['#a', 1],
      ['#b', 1],
      ['#d', 1],
      ['#geral', 1],
    ],
  );
});

test('a rename reaches the user and each user sharing a room with them exactly once', () => {
  const { ana, bob, carol, dave, act, clock, id } = fourUsersInRooms();
  act(ana, { type: 'nick', name: 'bia' });
  const nick = { type: 'nick', id, ts: clock.t, old: 'ana', new: 'bia', rooms: ['#geral', '#a', '#b'] };
  assert.deepEqual(bob.peer.take(), [nick]);
  assert.deepEqual(carol.peer.take(), [nick]);
  assert.deepEqual(dave.peer.take(), []);
  assert.deepEqual(ana.peer.take(), [
    nick,
    { type: 'ack', ref: undefined, id, ts: clock.t, of: 'nick', name: 'bia' },
  ]);
});

test('private messages reach their recipient whatever rooms either is in', () => {
  const { ana, dave, act, clock, id } = fourUsersInRooms();
  act(dave, { type: 'msg', to: 'ANA', text: 'psst' });
  assert.deepEqual(ana.peer.take(), [
    { type: 'private', id, ts: clock.t, from: 'dave', to: 'ana', text: 'psst' },
  ]);
  assert.equal(dave.peer.take()[0]?.type, 'ack');
});

test('a token resume keeps the user’s rooms and current room, with no join or leave notices', () => {
  const { hub, join, act, enter, quiet, journal } = setup();
  const ana = join('ana');
  const bob = join('bob');
  enter(ana, '#a');
  enter(ana, '#b');
  enter(bob, '#a');
  act(ana, { type: 'join_room', room: '#a' });
  quiet(ana, bob);
  const events = journal.length;
  const peer = new RecordingPeer();
  const again = hub.attach(peer);
  hub.handle(again, { type: 'join', name: 'ana', token: ana.session.token as string });
  assert.deepEqual(peer.take(), [
    {
      type: 'welcome',
      name: 'ana',
      token: 'tok3',
      room: '#a',
      users: ['bob', 'ana'],
      userCount: 2,
      resumed: true,
    },
    { type: 'room', room: '#geral', topic: '', users: ['bob', 'ana'], userCount: 2 },
    { type: 'room', room: '#b', topic: '', users: ['ana'], userCount: 1 },
  ]);
  assert.equal(again.currentRoom, '#a');
  assert.deepEqual(
    again.rooms.map((r) => r.name),
    ['#geral', '#a', '#b'],
  );
  for (const room of ['#geral', '#a']) assert.deepEqual(members(hub, room), ['bob', 'ana'], room);
  assert.deepEqual(members(hub, '#b'), ['ana']);
  assert.deepEqual(bob.peer.take(), []);
  assert.equal(journal.length, events, 'a resume is not an event');
  act(bob, { type: 'say', text: 'oi', room: '#a' });
  assert.deepEqual(
    peer.take().map((e) => e.type === 'message' && e.text),
    ['oi'],
  );
  assert.deepEqual(ana.peer.take().slice(-1), [{ type: 'bye', reason: 'replaced' }]);
  bob.peer.take();
  hub.handle(again, { type: 'quit' });
  assert.deepEqual(
    bob.peer.take().map((e) => e.type === 'leave' && e.name),
    ['ana'],
    'one leave, once',
  );
  assert.deepEqual(
    hub.rooms.list().map((r) => r.room),
    ['#a', '#geral'],
  );
});

test('since on join replays only the messages with an id above it', () => {
  const history = new MemoryHistory();
  const { join, act, hub } = setup({ history, journal: history.journal, historyReplay: 2 });
  const ana = join('ana');
  for (const text of ['um', 'dois', 'três']) act(ana, { type: 'say', text });
  const ids = history.records.map((r) => r.id);
  assert.deepEqual(ids, [2, 3, 4]);
  const replayOf = (since?: number) => {
    const peer = new RecordingPeer();
    const s = hub.attach(peer);
    hub.handle(s, { type: 'join', name: `u${since ?? 'all'}`, since });
    const [welcome, replay] = peer.take();
    assert.equal(welcome?.type, 'welcome');
    return replay?.type === 'history' ? [replay.records.map((r) => r.text), replay.more] : replay;
  };
  assert.deepEqual(replayOf(), [['dois', 'três'], true]);
  assert.deepEqual(replayOf(2), [['dois', 'três'], false]);
  assert.deepEqual(replayOf(3), [['três'], false]);
  assert.equal(replayOf(4), undefined, 'nothing newer: no replay at all');
});

test('since on join_room replays only that room’s messages with an id above it', () => {
  const history = new MemoryHistory();
  const { join, act, enter, clock } = setup({ history, journal: history.journal });
  const ana = join('ana');
  const bob = join('bob');
  enter(ana, '#a');
  act(ana, { type: 'say', text: 'a1', room: '#a' });
  act(ana, { type: 'say', text: 'g1' });
  act(ana, { type: 'say', text: 'a2', room: '#a' });
  bob.peer.take();
  act(bob, { type: 'join_room', room: '#a', since: 4, ref: 'j' });
  assert.deepEqual(bob.peer.take(), [
    { type: 'room', room: '#a', topic: '', users: ['ana', 'bob'], userCount: 2, ref: 'j' },
    {
      type: 'history',
      kind: 'replay',
      room: '#a',
      records: [{ type: 'message', id: 6, ts: clock.t, room: '#a', from: 'ana', text: 'a2' }],
      more: false,
    },
  ]);
});

test('a resume with since replays each of the user’s rooms after that id', () => {
  const history = new MemoryHistory();
  const { hub, join, act, enter } = setup({ history, journal: history.journal });
  const ana = join('ana');
  const bob = join('bob');
  enter(bob, '#a');
  enter(ana, '#a');
  act(bob, { type: 'say', text: 'a1', room: '#a' });
  act(bob, { type: 'say', text: 'g1' });
  act(bob, { type: 'say', text: 'a2', room: '#a' });
  const peer = new RecordingPeer();
  const again = hub.attach(peer);
  hub.handle(again, { type: 'join', name: 'ana', token: ana.session.token as string, since: 5 });
  const got: ServerEvent[] = peer.take();
  assert.deepEqual(
    got.map((e) => (e.type === 'history' ? `${e.room}: ${e.records.map((r) => r.text).join(' ')}` : e.type)),
    ['welcome', '#a: a2', 'room', '#geral: g1'],
  );
});
