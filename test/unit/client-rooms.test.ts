import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInput } from '../../src/client/input.js';
import { applyKey, roomNumber } from '../../src/client/keys.js';
import { LineEditor } from '../../src/client/line-editor.js';
import { renderServerMessage, type RenderContext } from '../../src/client/render.js';
import { RoomState, roomsStatus, roomsStatusParts } from '../../src/client/rooms.js';
import { plainText } from '../../src/client/styled.js';
import type { ServerMessage } from '../../src/protocol/json-messages.js';

const say = (room: string, extra: { history?: true } = {}) => ({ type: 'message', room, ...extra });

function inThreeRooms(): RoomState {
  const s = new RoomState();
  s.receive({ type: 'welcome', name: 'ana', room: '#geral' });
  s.receive({ type: 'room', room: '#rust' });
  s.receive({ type: 'room', room: '#ops' });
  return s;
}

describe('the client’s rooms', () => {
  it('starts in the welcome’s room; a room event adds a room and makes it current', () => {
    const s = inThreeRooms();
    assert.equal(s.current, '#ops');
    assert.deepEqual(
      s.rooms.map((r) => r.room),
      ['#geral', '#rust', '#ops'],
    );
    assert.equal(roomsStatus(s), '#geral #rust [#ops]');
  });

  it('counts live messages of other rooms as unread, until the room is current again', () => {
    const s = inThreeRooms();
    s.switchTo('#geral');
    for (let i = 0; i < 3; i++) s.receive(say('#rust'));
    s.receive({ type: 'action', room: '#ops' });
    s.receive(say('#geral'));
    s.receive(say('#ops', { history: true })); // a replay is not news
    s.receive({ type: 'join', room: '#ops', name: 'bob' }); // nor is a join
    assert.equal(roomsStatus(s), '[#geral] #rust(3) #ops(1)');
    assert.ok(s.switchTo('#RUST')); // rooms ignore letter case
    assert.equal(roomsStatus(s), '#geral [#rust] #ops(1)');
  });

  it('numbers the rooms in the order joined, for Alt+1..9, whichever is current', () => {
    const s = inThreeRooms();
    assert.deepEqual([s.nth(1), s.nth(2), s.nth(3), s.nth(4)], ['#geral', '#rust', '#ops', undefined]);
    s.switchTo('#rust');
    assert.equal(s.nth(1), '#geral');
  });

  it('refuses to switch to a room the user is not in', () => {
    const s = inThreeRooms();
    assert.equal(s.switchTo('#nope'), false);
    assert.equal(s.current, '#ops');
  });

  it('leaves a room on the user’s own part, not on someone else’s, and moves to a neighbour', () => {
    const s = inThreeRooms();
    s.switchTo('#rust');
    s.receive({ type: 'part', room: '#rust', name: 'bob' });
    assert.ok(s.has('#rust'));
    s.receive({ type: 'part', room: '#rust', name: 'ANA' });
    assert.ok(!s.has('#rust'));
    assert.equal(s.current, '#ops');
    assert.equal(roomsStatus(s), '#geral [#ops]');
  });

  it('follows a rename of the user, so a part after it is still theirs', () => {
    const s = inThreeRooms();
    s.receive({ type: 'nick', old: 'ana', new: 'bia' });
    s.receive({ type: 'part', room: '#ops', name: 'bia' });
    assert.ok(!s.has('#ops'));
  });

  it('after a reconnect re-joins every room but the default, and keeps the current one', () => {
    const s = inThreeRooms();
    s.switchTo('#rust');
    assert.deepEqual(s.rejoins('#geral'), ['#rust', '#ops']);
    s.receive({ type: 'welcome', name: 'ana', room: '#geral' }, true);
    s.receive({ type: 'room', room: '#rust' }, true);
    s.receive({ type: 'room', room: '#ops' }, true);
    assert.equal(s.current, '#rust');
    assert.equal(s.rooms.length, 3);
  });

  it('has no rooms with a server that names none', () => {
    const s = new RoomState();
    s.receive({ type: 'welcome', name: 'ana' });
    s.receive({ type: 'message' });
    assert.equal(s.current, null);
    assert.equal(roomsStatus(s), '');
    assert.equal(s.isOther(undefined), false);
  });
});

describe('moving between rooms in the terminal', () => {
  it('reads /switch #room as the client’s own command, and asks for the room without one', () => {
    assert.deepEqual(parseInput('/switch #rust', 'en'), { kind: 'switch', room: '#rust' });
    assert.deepEqual(parseInput('/SWITCH', 'pt'), { kind: 'error', message: 'Uso: /switch #sala' });
  });

  it('takes Alt+1..9 as going to that room of the status row', () => {
    const editor = new LineEditor();
    const alt3 = { name: '3', meta: true, sequence: '\x1b3' };
    assert.equal(applyKey(editor, undefined, alt3), 'switch-room');
    assert.equal(roomNumber(alt3), 3);
    assert.equal(roomNumber({ name: '0', meta: true }), null);
    assert.equal(applyKey(editor, '3', { name: '3', sequence: '3' }), 'edited');
    assert.equal(editor.text, '3');
  });

  it('marks what is said in another room with [#room], and not what is said in the current one', () => {
    const ctx: RenderContext = {
      lang: 'en',
      ownName: 'ana',
      color: false,
      clock: () => '12:34',
      currentRoom: '#geral',
    };
    const said = (room: string) =>
      ({ type: 'message', id: 1, ts: 0, room, from: 'bob', text: 'oi' }) as unknown as ServerMessage;
    const text = (m: ServerMessage) => renderServerMessage(ctx, m, 0).map((r) => plainText(r.line));
    assert.deepEqual(text(said('#rust')), ['12:34 [#rust] bob: oi']);
    assert.deepEqual(text(said('#Geral')), ['12:34 bob: oi']);
  });

  it('styles the status row: current bold, news bold (yellow only with colour), the rest dim', () => {
    const s = inThreeRooms();
    s.switchTo('#geral');
    s.receive(say('#rust'));
    assert.equal(
      roomsStatusParts(s, false).ansi,
      '\x1b[1m[#geral]\x1b[0m \x1b[1m#rust(1)\x1b[0m \x1b[2m#ops\x1b[0m',
    );
    assert.match(roomsStatusParts(s, true).ansi, /\x1b\[1;33m#rust\(1\)/);
  });
});
