import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rooms } from '../../src/core/room.js';
import { Session } from '../../src/core/session.js';
import { RecordingPeer } from '../helpers/recording-peer.js';

let ids = 0;
function user(name: string): Session {
  const s = new Session(++ids, new RecordingPeer());
  s.name = name;
  return s;
}

test('opens a room once and finds it in any letter case', () => {
  const rooms = new Rooms(new Map());
  const first = rooms.open('#Rust');
  assert.equal(first.created, true);
  const again = rooms.open('#RUST');
  assert.deepEqual([again.room, again.created], [first.room, false]);
  assert.equal(rooms.get('#rust'), first.room);
  assert.equal(rooms.get('#rust'), first.room, 'twice, through the cache');
  assert.equal(rooms.get('#go'), undefined);
  assert.equal(rooms.size, 1);
});

test('an empty room is dropped and comes back with its spelling and topic; a full one stays', () => {
  const rooms = new Rooms(new Map());
  const { room } = rooms.open('#Rust');
  const ana = user('ana');
  room.members.add(ana);
  room.topic = 'crabs';
  rooms.dropIfEmpty(room);
  assert.equal(rooms.get('#rust'), room, 'a room with a member is kept');
  room.members.delete(ana);
  rooms.get('#RUST'); // cached under this spelling
  rooms.dropIfEmpty(room);
  assert.equal(rooms.get('#RUST'), undefined, 'the cache forgets a dropped room');
  assert.equal(rooms.displayName('#rust'), '#Rust');
  const back = rooms.open('#rust');
  assert.notEqual(back.room, room);
  assert.deepEqual([back.room.name, back.room.topic, back.created], ['#Rust', 'crabs', false]);
  assert.equal(rooms.get('#RUST'), back.room);
});

test('rooms saved by the store keep their spelling and topic, and are not created again', () => {
  const saved = new Map([['#rust', { name: '#Rust', topic: 'crabs', topicBy: 'ana', topicTs: 5 }]]);
  const rooms = new Rooms(saved);
  assert.equal(rooms.size, 0, 'a saved room exists only once someone is in it');
  assert.equal(rooms.displayName('#RUST'), '#Rust');
  assert.equal(rooms.displayName('#Go'), '#Go');
  const { room, created } = rooms.open('#rust');
  assert.deepEqual(
    [room.name, room.topic, room.topicBy, room.topicTs, created],
    ['#Rust', 'crabs', 'ana', 5, false],
  );
});

test('lists rooms with their member count and topic, most members first, then by name', () => {
  const rooms = new Rooms(new Map());
  const open = (name: string) => rooms.open(name).room;
  const b = open('#b');
  const a = open('#a');
  const c = open('#c');
  b.members.add(user('x'));
  a.members.add(user('y'));
  c.members.add(user('z')).add(user('w'));
  c.topic = 'big';
  assert.deepEqual(rooms.list(), [
    { room: '#c', users: 2, topic: 'big' },
    { room: '#a', users: 1, topic: '' },
    { room: '#b', users: 1, topic: '' },
  ]);
  assert.deepEqual(c.memberNames(), ['z', 'w']);
});
