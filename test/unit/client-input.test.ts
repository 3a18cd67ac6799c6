import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddress } from '../../src/client/address.js';
import { backoffDelay } from '../../src/client/backoff.js';
import { colorWanted } from '../../src/client/command.js';
import { helpLines, parseInput } from '../../src/client/input.js';
import { parseServerMessage } from '../../src/client/server-message.js';

describe('server address', () => {
  it('fills in the default host and port', () => {
    assert.deepEqual(parseAddress(undefined), { host: '127.0.0.1', port: 65432 });
    assert.deepEqual(parseAddress('chat.example'), { host: 'chat.example', port: 65432 });
    assert.deepEqual(parseAddress(':7000'), { host: '127.0.0.1', port: 7000 });
    assert.deepEqual(parseAddress('10.0.0.1:7000'), { host: '10.0.0.1', port: 7000 });
  });

  it('reads IPv6 addresses with and without brackets', () => {
    assert.deepEqual(parseAddress('[::1]:7000'), { host: '::1', port: 7000 });
    assert.deepEqual(parseAddress('::1'), { host: '::1', port: 65432 });
  });

  it('says what is wrong with a bad port', () => {
    assert.match(String(parseAddress('host:99999')), /invalid port "99999"/);
    assert.match(String(parseAddress('host:x')), /invalid port/);
  });
});

describe('reconnect backoff', () => {
  const o = (r: number) => ({ baseMs: 100, maxMs: 1000, random: () => r });

  it('doubles up to the maximum', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, o(1))),
      [100, 200, 400, 800, 1000, 1000],
    );
  });

  it('keeps between half and all of the delay (jitter)', () => {
    assert.equal(backoffDelay(3, o(0)), 200);
    assert.equal(backoffDelay(3, o(0.5)), 300);
  });
});

describe('typed input', () => {
  it('sends a line as a message with shortcodes turned into emoji', () => {
    assert.deepEqual(parseInput('done :rocket:', 'en'), {
      kind: 'request',
      request: { type: 'say', text: 'done 🚀' },
    });
  });

  it('understands the plain protocol commands', () => {
    assert.deepEqual(parseInput('/msg ana oi :smile:', 'en'), {
      kind: 'request',
      request: { type: 'msg', to: 'ana', text: 'oi 😄' },
    });
    assert.deepEqual(parseInput('/me waves', 'en'), {
      kind: 'request',
      request: { type: 'me', text: 'waves' },
    });
    assert.deepEqual(parseInput('/nick bia', 'en'), {
      kind: 'request',
      request: { type: 'nick', name: 'bia' },
    });
    assert.deepEqual(parseInput('/who', 'en'), { kind: 'request', request: { type: 'who' } });
    assert.deepEqual(parseInput('//etc', 'en'), { kind: 'request', request: { type: 'say', text: '/etc' } });
    assert.deepEqual(parseInput('sair', 'en'), { kind: 'quit' });
    assert.deepEqual(parseInput('/quit', 'en'), { kind: 'quit' });
    assert.deepEqual(parseInput('/help', 'en'), { kind: 'help' });
    assert.deepEqual(parseInput('   ', 'en'), { kind: 'none' });
  });

  it('explains an unknown command and a wrong usage', () => {
    assert.deepEqual(parseInput('/frob', 'en'), {
      kind: 'error',
      message:
        'Unknown command /frob. /help lists the commands; start with // to send a line beginning with /.',
    });
    assert.deepEqual(parseInput('/msg ana', 'pt'), { kind: 'error', message: 'Uso: /msg NOME texto' });
  });

  it('refuses a message over the limit before sending it', () => {
    const parsed = parseInput('é'.repeat(513), 'en');
    assert.equal(parsed.kind, 'error');
    assert.match(parsed.kind === 'error' ? parsed.message : '', /1026 bytes, the limit is 1024/);
  });

  it('lists every command in /help', () => {
    const help = helpLines('en').join('\n');
    for (const c of ['/msg', '/me', '/nick', '/who', '/help', '/quit']) assert.ok(help.includes(c), c);
  });
});

describe('server lines', () => {
  it('parses the messages of the protocol', () => {
    assert.deepEqual(parseServerMessage('{"type":"message","id":1,"ts":2,"from":"a","text":"b","extra":1}'), {
      type: 'message',
      id: 1,
      ts: 2,
      from: 'a',
      text: 'b',
      extra: 1,
    });
  });

  it('skips lines that are not a known, complete message', () => {
    for (const line of [
      '*** papo',
      '[]',
      '{"type":"message","id":1}',
      '{"type":"frob"}',
      '{"type":"ack","id":1,"ts":1,"ref":{}}',
    ]) {
      assert.equal(parseServerMessage(line), null, line);
    }
  });
});

describe('colour choice', () => {
  it('turns colours off for --no-color, NO_COLOR and a dumb terminal', () => {
    assert.equal(colorWanted(true, {}), true);
    assert.equal(colorWanted(false, {}), false);
    assert.equal(colorWanted(true, { NO_COLOR: '1' }), false);
    assert.equal(colorWanted(true, { NO_COLOR: '' }), true);
    assert.equal(colorWanted(true, { TERM: 'dumb' }), false);
  });
});
