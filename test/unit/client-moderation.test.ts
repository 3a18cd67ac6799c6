import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInput } from '../../src/client/input.js';
import { renderServerMessage, type RenderContext } from '../../src/client/render.js';
import { RoomState } from '../../src/client/rooms.js';
import { parseServerMessage } from '../../src/client/server-message.js';
import { plainText } from '../../src/client/styled.js';

const ctx: RenderContext = {
  lang: 'en',
  ownName: 'bob',
  color: false,
  clock: () => '12:34',
  currentRoom: '#geral',
};
const text = (line: string) => {
  const m = parseServerMessage(line);
  assert.ok(m, line);
  return renderServerMessage(ctx, m, 0).map((r) => plainText(r.line));
};

describe('moderation in papo client', () => {
  it('sends the operators’ commands as JSON requests', () => {
    assert.deepEqual(parseInput('/kick ana spam', 'en', '#rust'), {
      kind: 'request',
      request: { type: 'kick', name: 'ana', room: '#rust', reason: 'spam' },
    });
    assert.deepEqual(parseInput('/ban 10.0.0.0/8 2h abuse', 'en', '#geral'), {
      kind: 'request',
      request: { type: 'ban', target: '10.0.0.0/8', duration: '2h', reason: 'abuse', room: '#geral' },
    });
    assert.deepEqual(parseInput('/kick --server ana', 'en', '#geral'), {
      kind: 'request',
      request: { type: 'kick', name: 'ana', server: true },
    });
    assert.deepEqual(parseInput('/op', 'en', '#geral'), { kind: 'error', message: 'Usage: /op NAME' });
  });

  it('renders the notices with the shared renderer, made safe', () => {
    assert.deepEqual(
      text('{"type":"kick","id":1,"ts":0,"name":"ana","by":"bob","room":"#rust","reason":"x\\u001b[2J"}'),
      ['12:34 -- [#rust] ana was kicked out of #rust by bob (x\uFFFD[2J).'],
    );
    assert.deepEqual(text('{"type":"mute","id":2,"ts":0,"name":"ana","by":"bob","until":null}'), [
      '12:34 -- ana was muted by bob permanently: can read, cannot post.',
    ]);
    assert.deepEqual(text('{"type":"op","id":3,"ts":0,"room":"#geral","name":"ana","by":"bob"}'), [
      '12:34 -- bob made ana an operator of #geral.',
    ]);
  });

  it('takes a room out of the list when the user is kicked out of it', () => {
    const rooms = new RoomState();
    rooms.receive({ type: 'welcome', name: 'bob', room: '#geral' });
    rooms.receive({ type: 'room', room: '#rust' });
    rooms.receive({ type: 'kick', room: '#rust', name: 'bob' });
    assert.deepEqual(
      rooms.rooms.map((r) => r.room),
      ['#geral'],
    );
  });
});
