import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryEvent, HistoryRecord } from '../../src/core/events.js';
import { helpLines as clientHelpLines } from '../../src/client/input.js';
import { helpLines, parsePlainLine } from '../../src/protocol/plain-commands.js';
import { plainLines } from '../../src/protocol/render.js';
import { TEXTS } from '../../src/protocol/texts.js';

// Issue #17: sentences a new user read wrong.
describe('texts people read', () => {
  it('says "the last message" for one, "the last N messages" for more, in both languages', () => {
    assert.equal(TEXTS.en.historyHeader(1), '*** History: the last message');
    assert.equal(TEXTS.en.historyHeader(3), '*** History: the last 3 messages');
    assert.equal(TEXTS.pt.historyHeader(1), '*** Histórico: a última mensagem');
    assert.equal(TEXTS.pt.historyHeader(3), '*** Histórico: as últimas 3 mensagens');
  });

  it('ends a refused name with one full stop', () => {
    const detail = { kind: 'name', problem: { kind: 'bad_char', codePoint: 0x20 } } as const;
    assert.equal(
      TEXTS.en.error('NAME_INVALID', detail),
      'Name not accepted: the character U+0020 is not allowed (use letters, digits and _ - .).',
    );
    assert.doesNotMatch(TEXTS.pt.error('NAME_INVALID', detail), /\.\.$/);
  });

  it('puts the reason of an abrupt leave before the full stop', () => {
    assert.equal(TEXTS.en.left('bob', 'disconnect'), '*** bob left the chat (connection lost).');
    assert.equal(TEXTS.en.left('bob', 'quit'), '*** bob left the chat.');
    assert.equal(TEXTS.pt.left('bob', 'timeout'), '*** bob saiu do chat (tempo esgotado).');
  });

  it('ends a search with "End of results", not "End of history"', () => {
    const record: HistoryRecord = {
      type: 'message',
      id: 7,
      ts: 0,
      room: '#geral',
      from: 'ana',
      text: 'bolo',
    };
    const event: HistoryEvent = {
      type: 'history',
      kind: 'search',
      records: [record],
      more: false,
      query: 'q',
    };
    assert.equal(plainLines(event, { lang: 'en', currentRoom: '#geral' }).at(-1), '*** End of results');
    assert.equal(plainLines(event, { lang: 'pt', currentRoom: '#geral' }).at(-1), '*** Fim dos resultados');
  });

  it('names what to type in Portuguese in /help and in a usage error', () => {
    const pt = [...helpLines('pt'), ...clientHelpLines('pt')].join('\n');
    for (const word of ['NOME', 'texto', 'NOVO_NOME', 'PALAVRAS'])
      assert.match(pt, new RegExp(`\\b${word}\\b`));
    for (const word of ['NAME', 'NEW_NAME', 'WORDS']) assert.doesNotMatch(pt, new RegExp(`\\b${word}\\b`));
    assert.match(helpLines('en').join('\n'), /\/msg NAME text/);
    const usage = parsePlainLine('/msg ana');
    assert.ok(usage.kind === 'usage');
    assert.equal(TEXTS.pt.error('USAGE', { kind: 'usage', command: usage.usage }), 'Uso: /msg NOME texto');
    assert.equal(TEXTS.en.error('USAGE', { kind: 'usage', command: usage.usage }), 'Usage: /msg NAME text');
  });
});
