import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineClient } from '../helpers/line-client.js';
import { spawnServer, type CliServer } from '../helpers/cli.js';
import { waitForLog } from '../helpers/log-records.js';

/** Waits until the server's stderr has a log record with this message (safety timeout 5 s). */
function logged(srv: CliServer, msg: string): Promise<Record<string, unknown>> {
  return waitForLog(srv.child.stderr, srv.stderr, msg);
}

test('SIGHUP and SIGUSR2 without --tls leave the server running; SIGTERM still exits 0', async (t) => {
  const srv = await spawnServer();
  t.after(() => srv.child.kill('SIGKILL'));
  const ana = await LineClient.join(srv.port, 'ana');
  const bob = await LineClient.join(srv.port, 'bob');
  t.after(() => [ana, bob].forEach((c) => c.destroy()));
  srv.child.kill('SIGHUP');
  assert.equal((await logged(srv, 'SIGHUP: nothing to reload without --tls')).level, 30);
  srv.child.kill('SIGUSR2');
  assert.equal((await logged(srv, 'SIGUSR2: ignored')).level, 30);
  bob.sendLine('still here');
  assert.equal(await ana.lineMatching(/^bob: /), 'bob: still here');
  srv.child.kill('SIGTERM');
  assert.equal(await ana.lineMatching(/^\*\*\* The server/), '*** The server is shutting down. Goodbye!');
  assert.equal(await srv.exited, 0);
});
