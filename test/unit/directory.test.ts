import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Directory } from '../../src/core/directory.js';
import { RecordingPeer } from '../helpers/recording-peer.js';

test('numbers sessions from 1 and finds them by id until they are removed', () => {
  const d = new Directory();
  const a = d.attach(new RecordingPeer());
  const b = d.attach(new RecordingPeer());
  assert.deepEqual([a.id, b.id], [1, 2]);
  assert.equal(d.session(2), b);
  d.remove(b);
  assert.equal(d.session(2), undefined);
  assert.deepEqual([...d.all()], [a]);
});

test('finds a joined user by name in any letter case, and counts joined users only', () => {
  const d = new Directory();
  const a = d.attach(new RecordingPeer());
  d.attach(new RecordingPeer());
  d.claim(a, 'João');
  assert.equal(d.find('JOÃO'), a);
  assert.equal(d.find('Joa\u0303o'), a, 'a decomposed accent finds the same user');
  assert.equal(d.userCount, 1);
  assert.deepEqual([a.name, a.key], ['João', 'joão']);
});

test('a rename moves the user to the new name and frees the old one', () => {
  const d = new Directory();
  const a = d.attach(new RecordingPeer());
  const b = d.attach(new RecordingPeer());
  d.claim(a, 'ana');
  d.claim(b, 'bob');
  d.rename(a, 'bia');
  assert.equal(d.find('ana'), undefined);
  assert.equal(d.find('BIA'), a);
  d.rename(b, 'BOB');
  assert.equal(d.find('bob'), b);
  assert.equal(b.name, 'BOB');
  assert.equal(d.userCount, 2);
});

test('removing a session frees its name only if it still holds it', () => {
  const d = new Directory();
  const old = d.attach(new RecordingPeer());
  d.claim(old, 'ana');
  const again = d.attach(new RecordingPeer());
  d.claim(again, 'ana'); // a resume: the new session takes the name over
  d.remove(old);
  assert.equal(d.find('ana'), again);
  d.remove(again);
  assert.equal(d.find('ana'), undefined);
  assert.equal(d.userCount, 0);
});

test('clear forgets every session and user', () => {
  const d = new Directory();
  d.claim(d.attach(new RecordingPeer()), 'ana');
  d.clear();
  assert.deepEqual([...d.all()], []);
  assert.equal(d.userCount, 0);
  assert.equal(d.find('ana'), undefined);
});
