import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnServer, tempDir } from '../helpers/cli.js';
import { LineClient } from '../helpers/line-client.js';

async function stop(server: Awaited<ReturnType<typeof spawnServer>>): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

test('accounts survive a restart and --no-history; a failed login is logged without the password', async (t) => {
  const dir = tempDir();
  const first = await spawnServer(['--data-dir', dir, '--no-history']);
  t.after(() => first.child.kill('SIGKILL'));
  const ana = await LineClient.join(first.port, 'ana');
  ana.sendLine('/register correct-horse-battery');
  await ana.lineMatching(/now registered/);
  ana.destroy();
  await stop(first);
  assert.ok(existsSync(join(dir, 'accounts.db')));
  assert.ok(!existsSync(join(dir, 'papo.db')), 'no history was kept');

  const second = await spawnServer(['--data-dir', dir, '--log-format', 'json']);
  t.after(() => second.child.kill('SIGKILL'));
  const c = await LineClient.connect(second.port);
  await c.prompt();
  c.sendLine('ana');
  await c.prompt('Password: ');
  c.sendLine('Tr0ub4dor&3-wrong');
  await c.lineMatching('!! Wrong password or key.');
  await c.prompt();
  c.sendLine('ana');
  await c.prompt('Password: ');
  c.sendLine('correct-horse-battery');
  await c.lineMatching(/^\*\*\* Welcome, ana!/);
  c.destroy();
  await stop(second);
  const log = second.stderr();
  assert.match(log, /"msg":"login failed"/);
  assert.match(log, /"user":"ana"/);
  assert.ok(!log.includes('Tr0ub4dor'), 'the wrong password is not logged');
  assert.ok(!log.includes('correct-horse'), 'the password is not logged');
});

test('--reserved-names FILE replaces the built-in list; --require-account --no-registration refuses newcomers', async (t) => {
  const dir = tempDir();
  const file = join(dir, 'reserved.txt');
  writeFileSync(file, '# staff\nboss\n\n  helpdesk  # the desk\n');
  const server = await spawnServer(['--data-dir', dir, '--reserved-names', file]);
  t.after(() => server.child.kill('SIGKILL'));
  const c = await LineClient.connect(server.port);
  await c.prompt();
  c.sendLine('b0ss');
  await c.lineMatching('!! The name b0ss is reserved; choose another.');
  await c.prompt();
  c.sendLine('admin'); // not reserved by this file
  await c.lineMatching(/^\*\*\* Welcome, admin!/);
  c.destroy();
  await stop(server);

  const closed = await spawnServer(['--require-account', '--no-registration']);
  t.after(() => closed.child.kill('SIGKILL'));
  const d = await LineClient.connect(closed.port);
  await d.prompt();
  d.sendLine('newbie');
  await d.lineMatching('!! This server only admits registered names, and registration is closed.');
  d.destroy();
  const open = await spawnServer(['--no-registration']);
  t.after(() => open.child.kill('SIGKILL'));
  const e = await LineClient.join(open.port, 'guest');
  e.sendLine('/register pw');
  await e.lineMatching('!! This server takes no new registrations.');
  e.destroy();
  await stop(open);
  await stop(closed);
});
