import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInput } from '../../web/src/commands.js';
import { bansText, moderationText } from '../../web/src/moderation.js';

test("the composer's operator commands become JSON requests for the conversation's room", () => {
  assert.deepEqual(parseInput('/kick ana spam', '#rust'), {
    kind: 'moderation',
    request: { type: 'kick', name: 'ana', room: '#rust', reason: 'spam' },
  });
  assert.deepEqual(parseInput('/kick --server ana', '#rust'), {
    kind: 'moderation',
    request: { type: 'kick', name: 'ana', server: true },
  });
  assert.deepEqual(parseInput('/ban troll 2h being rude', '#geral'), {
    kind: 'moderation',
    request: { type: 'ban', target: 'troll', room: '#geral', duration: '2h', reason: 'being rude' },
  });
  assert.deepEqual(parseInput('/ban 10.0.0.0/8 spam', '#geral'), {
    kind: 'moderation',
    request: { type: 'ban', target: '10.0.0.0/8', room: '#geral', reason: 'spam' },
  });
  assert.deepEqual(parseInput('/mute troll none', '#geral'), {
    kind: 'moderation',
    request: { type: 'mute', name: 'troll', room: '#geral', duration: 'none' },
  });
  assert.deepEqual(parseInput('/bans'), { kind: 'moderation', request: { type: 'bans' } });
  assert.deepEqual(parseInput('/op bob', '#rust'), {
    kind: 'moderation',
    request: { type: 'op', name: 'bob', room: '#rust' },
  });
  assert.deepEqual(parseInput('/deop'), { kind: 'usage', usage: '/deop name' });
  assert.deepEqual(parseInput('/kick --server'), { kind: 'usage', usage: '/kick [--server] name [reason]' });
});

test('moderation notices read the same as for plain users, in en and pt', () => {
  const kick = { type: 'kick', id: 1, ts: 0, name: 'bob', by: 'ana', room: '#rust', reason: 'spam' } as const;
  assert.equal(moderationText(kick, 'en'), 'bob was kicked out of #rust by ana (spam)');
  assert.equal(moderationText(kick, 'pt'), 'bob foi expulso de #rust por ana (spam)');
  const ban = {
    type: 'ban',
    id: 2,
    ts: 0,
    target: 'troll',
    by: 'boss',
    until: Date.UTC(2026, 11, 4, 13, 0),
  } as const;
  assert.equal(moderationText(ban, 'en'), 'troll was banned by boss until 2026-12-04 13:00 UTC');
  assert.deepEqual(bansText({ type: 'bans', bans: [], mutes: [] }, 'en'), ['Bans (0)', 'Mutes (0)']);
});
