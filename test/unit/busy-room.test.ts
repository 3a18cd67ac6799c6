import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub, MAX_LISTED_USERS } from '../../src/core/hub.js';
import { manualClock, RecordingPeer } from '../helpers/recording-peer.js';

function setup(busyRoom: number) {
  let n = 0;
  const hub = new Hub({ clock: manualClock(), newToken: () => `tok${++n}`, busyRoom });
  const join = (name: string) => {
    const peer = new RecordingPeer();
    const session = hub.attach(peer);
    hub.handle(session, { type: 'join', name });
    return { peer, session };
  };
  return { hub, join };
}

test('a busy room tells joins and leaves once per summary, not one notice each', () => {
  const { hub, join } = setup(2);
  const ana = join('ana');
  join('bob');
  join('carol');
  ana.peer.take();
  const dave = join('dave');
  const eve = join('eve');
  assert.deepEqual(ana.peer.take(), [], 'no notice per join in a room over --busy-room');
  hub.detach(dave.session, 'quit');
  assert.deepEqual(ana.peer.take(), []);
  hub.flushPresence();
  const [summary, ...rest] = ana.peer.take();
  assert.deepEqual(rest, []);
  assert.deepEqual(summary && { ...summary, ts: 0 }, {
    type: 'presence',
    ts: 0,
    room: '#geral',
    joined: ['dave', 'eve'],
    joinedCount: 2,
    left: ['dave'],
    leftCount: 1,
  });
  assert.equal(eve.peer.events.at(-1)?.type, 'presence', 'a joiner gets later summaries too');
  hub.flushPresence();
  assert.deepEqual(ana.peer.take(), [], 'nothing new: no summary');
});

test('a room at or under --busy-room tells each join at once', () => {
  const { join } = setup(3);
  const ana = join('ana');
  join('bob');
  join('carol');
  assert.deepEqual(
    ana.peer.take().map((e) => e.type),
    ['welcome', 'join', 'join'],
  );
});

test('a joiner is shown the first 100 members and how many there are', () => {
  const { join } = setup(0);
  for (let i = 0; i < MAX_LISTED_USERS + 20; i++) join(`u${i}`);
  const last = join('last');
  const welcome = last.peer.take()[0];
  assert.ok(welcome?.type === 'welcome');
  assert.equal(welcome.users.length, MAX_LISTED_USERS);
  assert.equal(welcome.userCount, MAX_LISTED_USERS + 21);
  assert.equal(welcome.users[0], 'u0');
});
