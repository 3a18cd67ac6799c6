import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LineClient } from '../helpers/line-client.js';
import { runCli, spawnServer, tempDir } from '../helpers/cli.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

test('papo --version prints the version', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), VERSION);
});

test('papo server --help documents every flag with its environment variable', async () => {
  const r = await runCli(['server', '--help']);
  assert.equal(r.code, 0);
  for (const flag of [
    '--host',
    '--port',
    '--data-dir',
    '--lang',
    '--log-level',
    '--max-clients',
    '--max-per-ip',
    '--name-timeout',
    '--send-queue',
    '--flood-rate',
  ]) {
    assert.ok(r.stdout.includes(flag), flag);
  }
  assert.match(r.stdout, /PAPO_PORT/);
});

test('SIGTERM tells every client the server is shutting down and exits 0', async () => {
  const srv = await spawnServer();
  const ana = await LineClient.join(srv.port, 'ana');
  const anon = await LineClient.connect(srv.port);
  await anon.prompt();
  srv.child.kill('SIGTERM');
  assert.equal(await ana.nextLine(), '*** The server is shutting down. Goodbye!');
  await ana.closedByServer();
  assert.equal(await anon.nextLine(), '*** The server is shutting down. Goodbye!');
  assert.equal(await srv.exited, 0);
});

test('reads its flags from PAPO_* variables and logs JSON to stderr', async () => {
  const srv = await spawnServer(['--log-level', 'info'], { PAPO_LANG: 'pt' });
  const c = await LineClient.connect(srv.port);
  assert.equal(await c.prompt(), 'Digite seu nome: ');
  c.destroy();
  srv.child.kill('SIGINT');
  assert.equal(await srv.exited, 0);
  const first = JSON.parse(srv.stderr().split('\n')[0] as string) as { msg: string; port: number };
  assert.equal(first.msg, 'listening');
  assert.equal(first.port, srv.port);
});

test('a port in use gives one clear line and exit code 1', async () => {
  const srv = await spawnServer();
  const r = await runCli(['server', '--port', String(srv.port), '--data-dir', tempDir()]);
  srv.child.kill('SIGTERM');
  await srv.exited;
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `papo: cannot listen on 127.0.0.1:${srv.port}: the address is already in use\n`);
});

test('a bad flag value is refused with the reason', async () => {
  const r = await runCli(['server', '--port', 'http']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /expected a whole number from 0 to 65535/);
});
