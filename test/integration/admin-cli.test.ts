import assert from 'node:assert/strict';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { openModeration } from '../../src/server/moderation-files.js';
import { PapoServer } from '../../src/server/server.js';
import { runCli, spawnServer, tempDir } from '../helpers/cli.js';
import { SqliteAccounts } from '../../src/store/sqlite-accounts.js';
import { TEST_SCRYPT } from '../helpers/accounts.js';
import { joinFrom, loginFrom, registerFrom } from '../helpers/moderation.js';
import { testOptions } from '../helpers/server.js';

test('papo admin ops edits the operators, and a running server sees it at once', async (t) => {
  const dir = tempDir();
  const opened = openModeration(dir, []);
  const accounts = new SqliteAccounts(join(dir, 'accounts.db'), TEST_SCRYPT);
  const server = new PapoServer({
    options: testOptions({ dataDir: dir }),
    log: pino({ level: 'silent' }),
    version: '0',
    moderation: opened.moderation,
    accounts,
  });
  const { port } = await server.listen();
  // ana logs in to her registered name: `papo admin ops` names accounts.
  await registerFrom(port, 'ana', 'pw-ana', '127.0.0.1');
  const ana = await loginFrom(port, 'ana', 'pw-ana', '127.0.0.1');
  const troll = await joinFrom(port, 'troll', '127.0.0.2');
  t.after(async () => {
    ana.destroy();
    troll.destroy();
    await server.stop(500);
    opened.close();
    accounts.close();
  });
  ana.sendLine('/bans');
  await ana.lineMatching(/^!! Only a server operator can do that/);

  const add = await runCli(['admin', 'ops', 'add', 'Ana', '--data-dir', dir]);
  assert.equal(add.code, 0, add.stderr);
  assert.equal(add.stdout, 'Ana is a server operator now\n');
  assert.equal((await runCli(['admin', 'ops', 'list', '--data-dir', dir])).stdout, 'Ana\n');
  ana.sendLine('/ban troll 1d flooding \u001b[2J the room');
  await ana.lineMatching(/^\*\*\* troll was banned by ana until/);
  await troll.closedByServer();
  ana.sendLine('/kick --server nobody');
  await ana.lineMatching(/^!! No user named nobody/);

  const log = await runCli(['admin', 'log', '--data-dir', dir]);
  assert.equal(log.code, 0, log.stderr);
  assert.match(
    log.stdout,
    /^\d{4}-\d\d-\d\d \d\d:\d\d UTC {2}ana {2}ban {2}troll {2}address 127\.0\.0\.2\/32 {2}for 1d until .* UTC {2}reason: flooding \uFFFD\[2J the room\n$/,
  );
  // A damaged line is shown as such, its controls made visible.
  appendFileSync(join(dir, 'audit.log'), 'not json \u001b[31m\n');
  const damaged = await runCli(['admin', 'log', '--data-dir', dir]);
  assert.match(damaged.stdout, /\n\? not json \uFFFD\[31m\n$/);
  const json = await runCli(['admin', 'log', '--json', '--data-dir', dir]);
  assert.equal(JSON.parse(json.stdout.split('\n')[0] as string).action, 'ban');

  const remove = await runCli(['admin', 'ops', 'remove', 'ana', '--data-dir', dir]);
  assert.equal(remove.code, 0, remove.stderr);
  ana.sendLine('/bans');
  await ana.lineMatching(/^!! Only a server operator can do that/);
});

test('papo admin refuses bad names with one clear line and has --help', async () => {
  const dir = tempDir();
  const bad = await runCli(['admin', 'ops', 'add', 'two words', '--data-dir', dir]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'papo: "two words" is not a valid name\n');
  const missing = await runCli(['admin', 'ops', 'remove', 'ana', '--data-dir', dir]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^papo: ana is not in .*ops\n$/);
  const help = await runCli(['admin', '--help']);
  assert.match(help.stdout, /ops/);
  assert.match(help.stdout, /log/);
  const logHelp = await runCli(['admin', 'log', '--help']);
  assert.match(logHelp.stdout, /--follow/);
  const serverHelp = await runCli(['server', '--help']);
  assert.match(serverHelp.stdout, /--ops <names>/);
  const none = await runCli(['admin', 'log', '--data-dir', dir]);
  assert.equal(none.code, 0);
  assert.match(none.stderr, /no audit log yet/);
});

test('papo server keeps moderation in the data dir with --no-history, and checks --ops', async (t) => {
  const dir = tempDir();
  const srv = await spawnServer(['--no-history', '--ops', 'boss,Ana', '--data-dir', dir]);
  t.after(() => srv.child.kill('SIGKILL'));
  assert.ok(existsSync(join(dir, 'moderation.db')));
  assert.ok(!existsSync(join(dir, 'papo.db')));
  const bad = await runCli(['server', '--ops', 'boss,two words', '--port', '0', '--data-dir', dir]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--ops.*"two words" is not a valid name/);
});
