import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineClient } from '../helpers/line-client.js';
import { spawnServer, type CliServer } from '../helpers/cli.js';

/** Waits until the server's stderr has a log record with this message (safety timeout 5 s). */
async function logged(srv: CliServer, msg: string): Promise<Record<string, unknown>> {
  const find = () =>
    srv
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((r) => r.msg === msg);
  const deadline = Date.now() + 5000;
  for (;;) {
    const record = find();
    if (record) return record;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no log "${msg}" in ${srv.stderr()}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, left);
      srv.child.stderr.once('data', done);
      function done() {
        clearTimeout(timer);
        srv.child.stderr.off('data', done);
        resolve();
      }
    });
  }
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
