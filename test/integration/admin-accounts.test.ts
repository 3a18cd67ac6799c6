import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Done } from '../../src/core/accounts.js';
import { SqliteAccounts } from '../../src/store/sqlite-accounts.js';
import { TEST_SCRYPT } from '../helpers/accounts.js';
import { runCli, tempDir } from '../helpers/cli.js';

const ask = <T>(call: (done: Done<T>) => void) =>
  new Promise<T>((resolve, reject) => call((r) => (r instanceof Error ? reject(r) : resolve(r))));

/** A data dir with `ana` (password) and `Bia` (password) registered, as a server would have them. */
async function dataDir(t: {
  after(fn: () => unknown): void;
}): Promise<{ dir: string; accounts: SqliteAccounts }> {
  const dir = tempDir();
  const accounts = new SqliteAccounts(join(dir, 'accounts.db'), TEST_SCRYPT);
  t.after(() => accounts.close());
  const created = Date.UTC(2026, 11, 3, 13, 45);
  for (const name of ['ana', 'Bia'])
    await ask((done) =>
      accounts.register(
        { key: name.toLowerCase(), name, skeleton: name.toLowerCase(), created, password: `pw-${name}` },
        done,
      ),
    );
  return { dir, accounts };
}

test('papo admin accounts list prints every registered name, when, and with what', async (t) => {
  const { dir } = await dataDir(t);
  const list = await runCli(['admin', 'accounts', 'list', '--data-dir', dir]);
  assert.equal(list.code, 0, list.stderr);
  assert.equal(
    list.stdout,
    'ana  registered 2026-12-03 13:45 UTC  password\nBia  registered 2026-12-03 13:45 UTC  password\n',
  );
  const viaEnv = await runCli(['admin', 'accounts', 'list'], { PAPO_DATA_DIR: dir });
  assert.equal(viaEnv.stdout, list.stdout);
});

test('papo admin accounts remove unregisters a name; a name not registered is one clear line', async (t) => {
  const { dir, accounts } = await dataDir(t);
  const removed = await runCli(['admin', 'accounts', 'remove', 'BIA', '--data-dir', dir]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(removed.stdout, 'BIA is no longer registered\n');
  assert.deepEqual(
    accounts.list().map((a) => a.name),
    ['ana'],
  );
  const again = await runCli(['admin', 'accounts', 'remove', 'bia', '--data-dir', dir]);
  assert.equal(again.code, 1);
  assert.equal(again.stderr, 'papo: bia is not registered\n');
  const bad = await runCli(['admin', 'accounts', 'remove', 'two words\u001b[2J', '--data-dir', dir]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'papo: "two words\uFFFD[2J" is not a valid name\n');
  assert.deepEqual(
    accounts.list().map((a) => a.name),
    ['ana'],
    'nothing else changed',
  );
});

test('papo admin accounts reset-password gives a new random password that logs in; the old one no longer does', async (t) => {
  const { dir, accounts } = await dataDir(t);
  const reset = await runCli(['admin', 'accounts', 'reset-password', 'ana', '--data-dir', dir]);
  assert.equal(reset.code, 0, reset.stderr);
  const m = /^ana's new password: ([A-Za-z0-9_-]{24})\n$/.exec(reset.stdout);
  assert.ok(m, reset.stdout);
  assert.equal(await ask<boolean>((done) => accounts.verifyPassword('ana', m[1] as string, done)), true);
  assert.equal(await ask<boolean>((done) => accounts.verifyPassword('ana', 'pw-ana', done)), false);
  assert.equal(
    await ask<boolean>((done) => accounts.verifyPassword('bia', 'pw-Bia', done)),
    true,
    'Bia untouched',
  );
  const missing = await runCli(['admin', 'accounts', 'reset-password', 'caio', '--data-dir', dir]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'papo: caio is not registered\n');
});

test('papo admin accounts needs an accounts database and has --help', async () => {
  const empty = tempDir();
  const none = await runCli(['admin', 'accounts', 'list', '--data-dir', empty]);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, `papo: no accounts yet in ${empty} (no accounts.db)\n`);
  const help = await runCli(['admin', 'accounts', '--help']);
  assert.match(help.stdout, /list/);
  assert.match(help.stdout, /remove/);
  assert.match(help.stdout, /reset-password/);
  const resetHelp = await runCli(['admin', 'accounts', 'reset-password', '--help']);
  assert.match(resetHelp.stdout, /PAPO_DATA_DIR/);
  assert.match((await runCli(['admin', '--help'])).stdout, /accounts/);
});
