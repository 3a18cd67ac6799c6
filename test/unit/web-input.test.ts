import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInput } from '../../web/src/commands.js';
import { complete } from '../../web/src/complete.js';
import { Backoff, BACKOFF_MAX_MS } from '../../web/src/backoff.js';

test('typed commands work as in the terminal client', () => {
  assert.deepEqual(parseInput('olá'), { kind: 'say', text: 'olá' });
  assert.deepEqual(parseInput('//etc'), { kind: 'say', text: '/etc' });
  assert.deepEqual(parseInput('/me acena'), { kind: 'me', text: 'acena' });
  assert.deepEqual(parseInput('/msg bia oi tudo bem'), { kind: 'msg', to: 'bia', text: 'oi tudo bem' });
  assert.deepEqual(parseInput('/join dev'), { kind: 'join', room: '#dev' });
  assert.deepEqual(parseInput('/part #dev até logo'), { kind: 'part', room: '#dev', reason: 'até logo' });
  assert.deepEqual(parseInput('/part'), { kind: 'part', reason: undefined });
  assert.deepEqual(parseInput('/nick ana2'), { kind: 'nick', name: 'ana2' });
  assert.deepEqual(parseInput('/topic'), { kind: 'topic', text: undefined });
  assert.deepEqual(parseInput('/topic novo tópico'), { kind: 'topic', text: 'novo tópico' });
  assert.deepEqual(parseInput('/msg bia'), { kind: 'usage', usage: '/msg name text' });
  assert.deepEqual(parseInput('/frobnicate'), { kind: 'unknown', command: '/frobnicate' });
});

test('Tab completes commands, names (with ": " at the start) and rooms, and cycles', () => {
  const names = ['bia', 'Beto', 'caio'];
  const rooms = ['#geral', '#dev'];
  assert.equal(complete('/jo', 3, names, rooms)?.completion.value, '/join ');
  assert.equal(complete('b', 1, names, rooms)?.completion.value, 'Beto: ');
  assert.equal(complete('b', 1, names, rooms, 1)?.completion.value, 'bia: ');
  assert.equal(complete('oi ca', 5, names, rooms)?.completion.value, 'oi caio ');
  assert.equal(complete('/join #d', 8, names, rooms)?.completion.value, '/join #dev ');
  assert.equal(complete('zzz', 3, names, rooms), null);
});

test('reconnect delays grow to the cap and start over after a success', () => {
  const b = new Backoff(() => 1);
  const delays = Array.from({ length: 8 }, () => b.next());
  assert.deepEqual(delays.slice(0, 4), [500, 1000, 2000, 4000]);
  assert.equal(delays.at(-1), BACKOFF_MAX_MS);
  b.reset();
  assert.equal(b.next(), 500);
});
