import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

test('the files papo server creates are its own, whatever umask it was started with', async () => {
  const dataDir = tempDir();
  const before = process.umask(0o022);
  let srv;
  try {
    srv = await spawnServer(['--data-dir', join(dataDir, 'state')]);
  } finally {
    process.umask(before);
  }
  const ana = await LineClient.join(srv.port, 'ana');
  const bob = await LineClient.join(srv.port, 'bob');
  ana.sendLine('a line for the history');
  assert.equal(await bob.lineMatching(/^ana: /), 'ana: a line for the history');
  srv.child.kill('SIGTERM');
  assert.equal(await srv.exited, 0);
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const mode = statSync(path).mode & 0o777;
      found.push(`${path.slice(dataDir.length)} ${mode.toString(8)}`);
      assert.equal(mode & 0o077, 0, `${path} is ${mode.toString(8)}`);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(dataDir);
  assert.ok(
    found.some((f) => f.includes('papo.db')),
    found.join(', '),
  );
});
