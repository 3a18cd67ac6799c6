import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveChat } from '../helpers/server.js';

test('in a busy room, plain users read one summary line of who joined and left', async (t) => {
  const { join } = await serveChat(t, { busyRoom: 2, history: false });
  const ana = await join('ana');
  const bob = await join('bob');
  await ana.lineMatching('*** bob joined the chat.');
  await join('carol');
  await ana.lineMatching('*** carol joined the chat.');
  const dave = await join('dave');
  const eve = await join('eve');
  dave.sendLine('sair');
  // Once a second, the joins and leaves of that second in one or two lines (issue #17); the
  // three may straddle a second, so read summaries until all three are told.
  const joined: string[] = [];
  const left: string[] = [];
  while (joined.length < 2 || left.length < 1) {
    const line = await ana.nextLine(3000);
    const m = /^\*\*\* \d+ (?:people|person) (joined|left): (.*)\.$/.exec(line);
    assert.ok(m, `a summary line, not ${line}`);
    (m[1] === 'joined' ? joined : left).push(...(m[2] as string).split(', '));
  }
  assert.deepEqual([joined, left], [['dave', 'eve'], ['dave']]);
  assert.match(await eve.lineMatching(/left/), /^\*\*\* 1 person left: dave\.$/);
  bob.sendLine('still talking');
  assert.equal(await ana.nextLine(), 'bob: still talking', 'nothing else was told in between');
});
