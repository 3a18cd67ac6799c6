import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveChat } from '../helpers/server.js';

test('--idle-timeout cuts a user who sends bytes but no line, and keeps one who talks', async (t) => {
  const { join } = await serveChat(t, { idleTimeoutSeconds: 1, history: false });
  const ana = await join('ana');
  const bob = await join('bob');
  await ana.lineMatching('*** bob joined the chat.');
  // A byte every 100 ms keeps the TCP connection busy, but ends no line (issue #18, point 10).
  const drip = setInterval(() => ana.send('x'), 100);
  const talk = setInterval(() => bob.sendLine('still here'), 300);
  t.after(() => {
    clearInterval(drip);
    clearInterval(talk);
  });
  assert.equal(
    await ana.lineMatching(/^!! /, 5000),
    "!! Disconnected: no line sent in 1 s (the server's idle limit).",
  );
  await ana.closedByServer(5000);
  assert.equal(await bob.lineMatching(/ana left/, 5000), '*** ana left the chat (timed out).');
  clearInterval(talk);
  bob.sendLine('/who');
  assert.equal(await bob.lineMatching(/Online now/), '*** Online now (1): bob');
});
