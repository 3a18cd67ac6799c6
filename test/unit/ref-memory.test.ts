import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Hub } from '../../src/core/hub.js';
import type { AckEvent, ServerEvent } from '../../src/core/events.js';
import { RefMemory } from '../../src/core/ref-memory.js';
import type { Session } from '../../src/core/session.js';
import { manualClock, RecordingPeer } from '../helpers/recording-peer.js';

const ack = (ref: string | number, id: number): AckEvent => ({
  type: 'ack',
  ref,
  id,
  ts: 0,
  of: 'message',
  room: '#geral',
});

test('a repeat of the same ref, kind and text gets the first ack; another text does not', () => {
  const m = new RefMemory();
  const first = ack('r1', 7);
  m.remember('t1', first, 'hello');
  assert.equal(m.repeatOf('t1', { type: 'say', text: '  hello ', ref: 'r1' }), first);
  assert.equal(m.repeatOf('t1', { type: 'say', text: 'hello again', ref: 'r1' }), undefined);
  assert.equal(m.repeatOf('t1', { type: 'me', text: 'hello', ref: 'r1' }), undefined);
  assert.equal(m.repeatOf('t1', { type: 'say', text: 'hello', ref: 'r2' }), undefined);
  assert.equal(m.repeatOf('t2', { type: 'say', text: 'hello', ref: 'r1' }), undefined);
  assert.equal(m.repeatOf('t1', { type: 'say', text: 'hello' }), undefined);
  // A numeric ref and its string spelling are different refs.
  assert.equal(m.repeatOf('t1', { type: 'say', text: 'hello', ref: 1 }), undefined);
});

test('only the last refs per token are kept', () => {
  const m = new RefMemory(3);
  for (let i = 1; i <= 5; i++) m.remember('t', ack(i, i), `m${i}`);
  const seen = [1, 2, 3, 4, 5].map((i) => m.repeatOf('t', { type: 'say', text: `m${i}`, ref: i })?.id);
  assert.deepEqual(seen, [undefined, undefined, 3, 4, 5]);
});

test('an ended token is carried to the next one, once; a live one is not', () => {
  const m = new RefMemory(64, 2);
  m.remember('a', ack('x', 1), 'hi');
  m.carry('a', 'b'); // still live: nothing moves
  assert.equal(m.repeatOf('b', { type: 'say', text: 'hi', ref: 'x' }), undefined);
  m.end('a');
  assert.equal(m.repeatOf('a', { type: 'say', text: 'hi', ref: 'x' }), undefined);
  m.carry('a', 'b');
  assert.equal(m.repeatOf('b', { type: 'say', text: 'hi', ref: 'x' })?.id, 1);
  m.carry('a', 'c');
  assert.equal(m.repeatOf('c', { type: 'say', text: 'hi', ref: 'x' }), undefined);
});

test('only the last ended tokens are kept', () => {
  const m = new RefMemory(64, 2);
  for (const t of ['a', 'b', 'c']) {
    m.remember(t, ack('x', 1), 'hi');
    m.end(t);
  }
  assert.deepEqual(m.sizes, { live: 0, ended: 2 });
  m.carry('a', 'a2');
  m.carry('c', 'c2');
  assert.deepEqual(m.sizes, { live: 1, ended: 1 });
});

test('memory stays bounded whatever is remembered and ended', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 200 }), fc.boolean())),
      (ops) => {
        const m = new RefMemory(4, 3);
        for (const [t, ref, end] of ops) {
          m.remember(`t${t}`, ack(ref, ref), 'x');
          if (end) m.end(`t${t}`);
        }
        assert.ok(m.sizes.ended <= 3);
        assert.ok(m.sizes.live <= 10);
      },
    ),
  );
});

function hubWithUsers() {
  let n = 0;
  const hub = new Hub({ clock: manualClock(), newToken: () => `tok${++n}` });
  const join = (name: string, token?: string): { peer: RecordingPeer; session: Session } => {
    const peer = new RecordingPeer();
    const session = hub.attach(peer);
    hub.handle(session, { type: 'join', name, ...(token ? { token } : {}) });
    return { peer, session };
  };
  return { hub, join };
}

const ofType = (events: ServerEvent[], type: string) => events.filter((e) => e.type === type);

test('the hub answers a resent message with its first ack, after a resume, and posts it once', () => {
  const { hub, join } = hubWithUsers();
  const ana = join('ana');
  const bob = join('bob');
  const token = ana.session.token as string;
  hub.handle(ana.session, { type: 'say', text: 'oi', ref: 'w1' });
  const first = ofType(ana.peer.take(), 'ack')[0] as AckEvent;
  // The connection dies unnoticed; a new one resumes with the token and sends the line again.
  const back = join('ana', token);
  assert.equal(ofType(back.peer.take(), 'welcome').length, 1);
  hub.handle(back.session, { type: 'say', text: 'oi', ref: 'w1' });
  assert.deepEqual(back.peer.take(), [first]);
  hub.handle(back.session, { type: 'say', text: 'oi', ref: 'w2' });
  assert.equal((ofType(back.peer.take(), 'ack')[0] as AckEvent).ref, 'w2');
  const seen = bob.peer.take().filter((e) => e.type === 'message');
  assert.equal(seen.length, 2);
});

test('the memory survives a session that ended, for a fresh join with the old token', () => {
  const { hub, join } = hubWithUsers();
  const ana = join('ana');
  const bob = join('bob');
  hub.handle(ana.session, { type: 'msg', to: 'bob', text: 'psst', ref: 7 });
  const first = ofType(ana.peer.take(), 'ack')[0] as AckEvent;
  const token = ana.session.token as string;
  hub.detach(ana.session, 'disconnect');
  const back = join('ana', token);
  assert.equal((ofType(back.peer.take(), 'welcome')[0] as { resumed: boolean }).resumed, false);
  hub.handle(back.session, { type: 'msg', to: 'bob', text: 'psst', ref: 7 });
  assert.deepEqual(back.peer.take(), [first]);
  assert.equal(bob.peer.take().filter((e) => e.type === 'private').length, 1);
  // Someone else presenting no token, or another one, starts with no memory.
  hub.detach(back.session, 'disconnect');
  const other = join('ana', 'tok-guess');
  hub.handle(other.session, { type: 'msg', to: 'bob', text: 'psst', ref: 7 });
  assert.equal(bob.peer.take().filter((e) => e.type === 'private').length, 1);
});
