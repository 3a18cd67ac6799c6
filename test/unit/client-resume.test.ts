import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Resumption, type Received } from '../../src/client/replay-filter.js';
import type { ServerMessage } from '../../src/protocol/json-messages.js';

const r = (message: ServerMessage): Received => ({ message, line: JSON.stringify(message) });
const header = (count: number) => r({ type: 'history', kind: 'replay', count, more: false });
const stored = (id: number) => r({ type: 'message', id, ts: 0, from: 'bob', text: `m${id}`, history: true });
const live = (id: number) => r({ type: 'message', id, ts: 0, from: 'bob', text: `m${id}` });
const ids = (out: Received[]) =>
  out.map((x) =>
    'id' in x.message ? x.message.id : `h${x.message.type === 'history' ? x.message.count : ''}`,
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
    const out = [header(4), stored(3), stored(5), stored(6), stored(8), live(9)].flatMap((x) =>
      res.receive(x),
    );
    assert.deepEqual(ids(out), ['h2', 6, 8, 9]);
  });

  it('passes the header through unchanged when the server already honoured since', () => {
    const res = new Resumption();
    res.receive(live(5));
    res.since();
    const h = header(2);
    const out = [h, stored(6), stored(7)].flatMap((x) => res.receive(x));
    assert.equal(out[0]?.line, h.line);
    assert.deepEqual(ids(out), ['h2', 6, 7]);
  });

  it('drops the header too when everything replayed was seen', () => {
    const res = new Resumption();
    res.receive(live(5));
    res.since();
    assert.deepEqual(
      [header(2), stored(4), stored(5)].flatMap((x) => res.receive(x)),
      [],
    );
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
    assert.deepEqual(
      [header(3), stored(6)].flatMap((x) => res.receive(x)),
      [],
    );
    assert.deepEqual(ids(res.flush()), ['h1', 6]);
  });
});
