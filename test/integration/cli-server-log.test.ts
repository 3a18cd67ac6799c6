import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { CLI, spawnServer, tempDir } from '../helpers/cli.js';

const PTY = new URL('./client-pty.py', import.meta.url).pathname;
const PRETTY = /^\d\d:\d\d:\d\d\.\d{3} INFO {2}listening host=127\.0\.0\.1 port=\d+ version=\S+$/m;

test('logs JSON lines when stderr is not a terminal, pretty lines with --log-format pretty', async (t) => {
  const json = await spawnServer();
  t.after(() => json.child.kill());
  assert.equal((JSON.parse(json.stderr().split('\n')[0] as string) as { msg: string }).msg, 'listening');

  const pretty = await spawnServer(['--log-format', 'pretty']);
  t.after(() => pretty.child.kill());
  assert.match(pretty.stderr(), PRETTY);

  const env = await spawnServer([], { PAPO_LOG_FORMAT: 'pretty' });
  t.after(() => env.child.kill());
  assert.match(env.stderr(), PRETTY);
});

test('logs pretty lines on a terminal, and JSON there with --log-format json', async (t) => {
  for (const [args, pattern] of [
    [[], PRETTY],
    [['--log-format', 'json'], /^\{"level":30,.*"msg":"listening"\}\r?$/m],
  ] as const) {
    // In a pseudo-terminal stdout and stderr are the terminal; the server runs until killed.
    const child = spawn(
      'python3',
      [PTY, '100', '24', process.execPath, CLI, 'server', '--port', '0', '--data-dir', tempDir(), ...args],
      {
        env: { ...process.env, LANG: 'C' },
      },
    );
    t.after(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no log line: ${out}`)), 20_000);
      child.stdout.on('data', (d: string) => {
        out += d;
        if (/listening on/.test(out) && /"msg":"listening"|INFO {2}listening/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    assert.match(out.replace(/\r/g, ''), new RegExp(pattern.source.replace('\\r?', ''), 'm'));
    child.stdin.end(); // the relay ends when its terminal closes
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});
