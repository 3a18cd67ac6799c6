import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  highlightMentions,
  nameColor,
  renderOwn,
  renderPlainLine,
  renderServerMessage,
  type RenderContext,
} from '../../src/client/render.js';
import { plainServerLines } from '../../src/client/plain-render.js';
import { plainText, toAnsi } from '../../src/client/styled.js';
import type { ServerMessage } from '../../src/protocol/json-messages.js';

const ctx: RenderContext = {
  lang: 'en',
  ownName: 'bob',
  color: true,
  clock: () => '12:34',
  currentRoom: '#geral',
};
const text = (m: ServerMessage, c = ctx) => renderServerMessage(c, m, 0).map((r) => plainText(r.line));

describe('rendering server events for a terminal', () => {
  it('shows a message with the local time and the name', () => {
    assert.deepEqual(
      text({ type: 'message', id: 1, ts: 0, room: '#geral', from: 'ana', text: 'oi *todos*' }),
      ['12:34 ana: oi todos'],
    );
  });

  it('indents wrapped rows under the message text', () => {
    const [r] = renderServerMessage(
      ctx,
      { type: 'message', id: 1, ts: 0, room: '#geral', from: 'ana', text: 'x' },
      0,
    );
    assert.equal(r?.indent, '12:34 ana: '.length);
  });

  it('renders /me as an action', () => {
    assert.deepEqual(text({ type: 'action', id: 1, ts: 0, room: '#geral', from: 'ana', text: 'waves' }), [
      '12:34 * ana waves',
    ]);
  });

  it('tags private messages and shows them bold', () => {
    const [r] = renderServerMessage(
      ctx,
      { type: 'private', id: 1, ts: 0, from: 'ana', to: 'bob', text: 'psst' },
      0,
    );
    assert.equal(plainText(r?.line ?? []), '12:34 [private] ana: psst');
    assert.ok(r?.line.at(-1)?.style?.bold);
  });

  it('dims notices and drops the *** marker', () => {
    const join: ServerMessage = { type: 'join', id: 1, ts: 0, room: '#geral', name: 'ana', connected: true };
    const [r] = renderServerMessage(ctx, join, 0);
    assert.equal(plainText(r?.line ?? []), '12:34 -- ana joined the chat.');
    assert.ok(r?.line.every((s) => s.style?.dim));
  });

  it('speaks Portuguese with --lang pt', () => {
    assert.deepEqual(text({ type: 'nick', id: 1, ts: 0, old: 'ana', new: 'bia' }, { ...ctx, lang: 'pt' }), [
      '12:34 -- ana agora se chama bia.',
    ]);
  });

  it('leaves answers to own requests to the acked and refused events', () => {
    assert.deepEqual(text({ type: 'ack', id: 1, ts: 0, ref: 1 }), []);
    assert.deepEqual(text({ type: 'error', code: 'NO_SUCH_USER', message: 'x', ref: 1 }), []);
    assert.deepEqual(text({ type: 'error', code: 'NAME_TAKEN', message: 'taken' }), ['12:34 !! taken']);
  });

  it('dates a stored message from another day and dims it', () => {
    const day = 86_400_000;
    const old: ServerMessage = {
      type: 'message',
      id: 1,
      ts: 10 * day,
      room: '#geral',
      from: 'ana',
      text: 'x',
      history: true,
    };
    const [r] = renderServerMessage(ctx, old, 12 * day);
    assert.match(plainText(r?.line ?? []), /^\d{4}-\d\d-\d\d 12:34 ana: x$/);
    assert.ok(r?.line.at(-1)?.style?.dim);
    const [today] = renderServerMessage(ctx, { ...old, ts: 12 * day + 1 }, 12 * day + 2);
    assert.equal(plainText(today?.line ?? []), '12:34 ana: x');
  });

  it('never passes control characters to the terminal', () => {
    const [r] = renderServerMessage(
      ctx,
      { type: 'message', id: 1, ts: 0, room: '#geral', from: 'ana', text: 'a\x1b[2Jb' },
      0,
    );
    assert.ok(!toAnsi(r?.line ?? [], { ansi: false, color: false }).includes('\x1b'));
  });

  it('shows your own accepted message, action and private message', () => {
    assert.equal(plainText(renderOwn(ctx, { type: 'say', text: 'hi' }, 0)?.line ?? []), '12:34 bob: hi');
    assert.equal(
      plainText(renderOwn(ctx, { type: 'me', text: 'waves' }, 0)?.line ?? []),
      '12:34 * bob waves',
    );
    assert.equal(
      plainText(renderOwn(ctx, { type: 'msg', to: 'ana', text: 'psst' }, 0)?.line ?? []),
      '12:34 [private to ana] psst',
    );
    assert.equal(renderOwn(ctx, { type: 'who' }, 0), null);
  });
});

describe('mentions', () => {
  it('highlights the own name as a whole word in any letter case', () => {
    const { segments, hit } = highlightMentions([{ text: 'hey Bob, and @bob!' }], 'bob');
    assert.ok(hit);
    assert.deepEqual(
      segments.filter((s) => s.style?.inverse).map((s) => s.text),
      ['Bob', '@bob'],
    );
  });

  it('does not highlight the name inside a longer word', () => {
    assert.equal(highlightMentions([{ text: 'bobby and kabob' }], 'bob').hit, false);
  });

  it('highlights mentions in incoming messages', () => {
    const [r] = renderServerMessage(
      ctx,
      { type: 'message', id: 1, ts: 0, room: '#geral', from: 'ana', text: 'ok bob' },
      0,
    );
    assert.ok(r?.line.some((s) => s.text === 'bob' && s.style?.inverse));
  });
});

describe('name colours', () => {
  it('gives a name the same colour in any letter case and on every run', () => {
    assert.equal(nameColor('Ana'), nameColor('ana'));
    assert.equal(nameColor('ana'), 94); // FNV-1a of "ana": a change here recolours everyone
  });

  it('spreads names over several colours', () => {
    const colors = new Set(['ana', 'bob', 'carla', 'davi', 'eva', 'fabio', 'gil', 'hugo'].map(nameColor));
    assert.ok(colors.size >= 4);
  });
});

describe('plain lines', () => {
  it('prints events as a plain-text user of papo reads them', () => {
    const lines = (m: ServerMessage) => plainServerLines('en', m, '#geral');
    assert.deepEqual(lines({ type: 'message', id: 1, ts: 0, room: '#geral', from: 'ana', text: 'oi' }), [
      'ana: oi',
    ]);
    assert.deepEqual(lines({ type: 'action', id: 1, ts: 0, room: '#geral', from: 'ana', text: 'waves' }), [
      '* ana waves',
    ]);
    assert.deepEqual(lines({ type: 'private', id: 1, ts: 0, from: 'ana', to: 'b', text: 'x' }), [
      '[private] ana: x',
    ]);
    assert.deepEqual(lines({ type: 'leave', id: 1, ts: 0, name: 'ana', reason: 'disconnect' }), [
      '*** ana left the chat (connection lost).',
    ]);
    assert.deepEqual(lines({ type: 'error', code: 'EMPTY_MESSAGE', message: 'empty' }), ['!! empty']);
    assert.deepEqual(lines({ type: 'ack', id: 1, ts: 0 }), []);
  });

  it('styles lines from a plain-text server by their shape', () => {
    const show = (l: string) => plainText(renderPlainLine(ctx, l, 0).line);
    assert.equal(show('ana: oi'), '12:34 ana: oi');
    assert.equal(show('*** ana joined'), '12:34 -- ana joined');
    assert.equal(show('!! nope'), '12:34 !! nope');
    assert.equal(show('[private] ana: psst'), '12:34 [private] ana: psst');
    assert.equal(show('just text'), '12:34 just text');
    const [, name] = renderPlainLine(ctx, 'ana: oi', 0).line;
    assert.equal(name?.style?.fg, nameColor('ana'));
  });
});
