import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../helpers/server.js';
import { LineClient } from '../helpers/line-client.js';

test('relays a line to everyone else as "name: text", without echo to the sender', async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  const ana = await LineClient.join(srv.port, 'ana');
  const bob = await LineClient.join(srv.port, 'bob');
  await ana.lineMatching('*** bob joined the chat.');
  bob.sendLine('oi ana');
  assert.equal(await ana.nextLine(), 'bob: oi ana');
  ana.sendLine('/ping');
  assert.equal(await ana.nextLine(), '*** pong');
  assert.deepEqual(bob.pending(), []);
});
