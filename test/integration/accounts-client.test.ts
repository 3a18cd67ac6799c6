import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveAccounts } from '../helpers/accounts.js';
import { runCli } from '../helpers/cli.js';
import { selfSigned, writePair } from '../helpers/tls.js';
import { tempDir } from '../helpers/temp.js';

const SAFETY_MS = 15_000;

const runClient = (args: string[], input: string, config: string) =>
  runCli(
    ['client', ...args],
    { LANG: 'en_US.UTF-8', NO_COLOR: '', XDG_CONFIG_HOME: config },
    { input, timeoutMs: SAFETY_MS },
  );

test('papo client makes a key on first use, /register binds it, and later logins sign the challenge (TCP and TLS)', async (t) => {
  const chat = await serveAccounts(t);
  const dir = tempDir(t);
  const tlsPort = (await chat.srv.server.listenTls(writePair(dir, 'server', await selfSigned()))).port;
  const fingerprint = chat.srv.server.tlsFingerprint as string;
  const watcher = await chat.join('watcher');
  const mine = join(dir, 'mine');
  const theirs = join(dir, 'theirs');
  const address = `127.0.0.1:${chat.srv.port}`;

  const r1 = await runClient([address, '--name', 'kai'], '/register\n', mine);
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, /The name kai is now registered to you \(key SHA256:[A-Za-z0-9+/]{43}\)/);
  const key = statSync(join(mine, 'papo', 'id_ed25519'));
  assert.equal(key.mode & 0o777, 0o600);
  const [account] = chat.accounts.list();
  assert.equal(account?.hasPassword, false);
  assert.match(account?.fingerprint ?? '', /^SHA256:/);
  assert.ok(r1.stdout.includes(account?.fingerprint ?? '?'));

  // The same key logs in without a password, over TCP and over TLS (where it signs the certificate).
  const r2 = await runClient([address, '--name', 'kai'], 'signed in\n', mine);
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(await watcher.lineMatching(/^kai: /), 'kai: signed in');
  const r3 = await runClient(
    ['--tls', `127.0.0.1:${tlsPort}`, '--fingerprint', fingerprint, '--name', 'kai'],
    'over tls\n',
    mine,
  );
  assert.equal(r3.code, 0, r3.stderr);
  assert.equal(await watcher.lineMatching(/^kai: /), 'kai: over tls');

  // Another key cannot take the name.
  const r4 = await runClient([address, '--name', 'kai'], 'impostor\n', theirs);
  assert.equal(r4.code, 1);
  assert.match(r4.stderr, /Wrong password or key/);
  watcher.sendLine('/whois kai');
  assert.equal(await watcher.lineMatching(/^\*\*\* {3}key /), `***   key ${account?.fingerprint}`);
});

test('papo client in a pipe sends the password line when a registered name asks for one', async (t) => {
  const chat = await serveAccounts(t);
  const dir = tempDir(t);
  const owner = await chat.join('lia');
  owner.sendLine('/register open sesame');
  await owner.lineMatching(/now registered/);
  owner.sendLine('/quit');
  await owner.closedByServer();
  const watcher = await chat.join('watcher');
  const r = await runClient([`127.0.0.1:${chat.srv.port}`, '--name', 'lia'], 'open sesame\nhi\n', dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await watcher.lineMatching(/^lia: /), 'lia: hi');
});
