import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Resumption, type Received } from '../../src/client/replay-filter.js';
import type { ServerMessage } from '../../src/protocol/json-messages.js';

const r = (message: ServerMessage): Received => ({ message, line: JSON.stringify(message) });
const header = (count: number) => r({ type: 'history', kind: 'replay', count, more: false });
const stored = (id: number) =>
  r({ type: 'message', id, ts: 0, room: '#geral', from: 'bob', text: `m${id}`, history: true });
const welcome = r({
  type: 'welcome',
  name: 'ana',
  token: 't',
  room: '#geral',
  users: ['ana'],
  userCount: 1,
  resumed: true,
});
const live = (id: number) => r({ type: 'message', id, ts: 0, room: '#geral', from: 'bob', text: `m${id}` });
const ids = (out: Received[]): Array<number | string> =>
  out.map((x) =>
    'id' in x.message ? x.message.id : x.message.type === 'history' ? `h${x.message.count}` : x.message.type,
  );

describe('resuming after a reconnect', () => {
  it('sends no since before any event, then the highest id seen, acks included', () => {
    const res = new Resumption();
    assert.equal(res.since(), undefined);
    res.receive(live(4));
    res.receive(r({ type: 'ack', id: 9, ts: 0 }));
    res.receive(live(7));
    assert.equal(res.since(), 9);
  });

  it('drops the replayed messages already seen and counts the header again', () => {
    const res = new Resumption();
    res.receive(live(5));
    res.since();
    const out = [welcome, header(4), stored(3), stored(5), stored(6), stored(8), live(9)].flatMap((x) =>
      res.receive(x),
    );
    assert.deepEqual(ids(out), ['welcome', 'h2', 6, 8, 9]);
  });

  it('passes the header through unchanged when the server already honoured since', () => {
    const res = new Resumption();
    res.receive(live(5));
    res.since();
    const h = header(2);
    const out = [welcome, h, stored(6), stored(7)].flatMap((x) => res.receive(x));
    assert.equal(out[1]?.line, h.line);
    assert.deepEqual(ids(out), ['welcome', 'h2', 6, 7]);
  });

  it('drops the header too when everything replayed was seen', () => {
    const res = new Resumption();
    res.receive(live(5));
    res.since();
    assert.deepEqual(ids([welcome, header(2), stored(4), stored(5)].flatMap((x) => res.receive(x))), [
      'welcome',
    ]);
  });

  it('leaves a first replay, and one asked for without since, alone', () => {
    const res = new Resumption();
    assert.deepEqual(ids([header(1), stored(1)].flatMap((x) => res.receive(x))), ['h1', 1]);
    res.reset();
    assert.deepEqual(ids([header(1), stored(1)].flatMap((x) => res.receive(x))), ['h1', 1]);
  });

  it('gives back what a replay held when the connection closes halfway', () => {
    const res = new Resumption();
    res.receive(live(5));
    res.since();
    assert.deepEqual(ids([welcome, header(3), stored(6)].flatMap((x) => res.receive(x))), ['welcome']);
    assert.deepEqual(ids(res.flush()), ['h1', 6]);
  });

  it('filters a room’s replay by the since sent for that room, and a later room’s not at all', () => {
    const res = new Resumption();
    res.receive(live(5));
    res.since(); // hello
    res.since('#Rust'); // join_room after the welcome
    const roomHeader = (room: string, count: number) =>
      r({ type: 'history', kind: 'replay', count, more: false, room });
    const out = [welcome, live(6), roomHeader('#rust', 2), stored(4), stored(7)].flatMap((x) =>
      res.receive(x),
    );
    // No replay right after welcome: the hello's since is dropped; #rust's replay is filtered.
    assert.deepEqual(ids(out), ['welcome', 6, 'h1', 7]);
    const later = [roomHeader('#ops', 1), stored(2)].flatMap((x) => res.receive(x));
    assert.deepEqual(ids(later), ['h1', 2]);
  });
});
