import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { CLI, runCli, tempDir } from '../helpers/cli.js';

/** The environment without PAPO_NO_WEB (npm test sets it so other CLI tests get no web port). */
function webEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C' };
  delete env.PAPO_NO_WEB;
  return env;
}

/** Runs `papo server ARGS` until its stdout has `lines` lines; returns them. */
async function serverLines(
  t: { after(fn: () => unknown): void },
  args: string[],
  lines: number,
): Promise<string[]> {
  const child = spawn(process.execPath, [CLI, 'server', '--port', '0', '--data-dir', tempDir(), ...args], {
    env: webEnv(),
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = once(child, 'exit');
  while (out.split('\n').length <= lines) {
    const [chunk] = (await Promise.race([
      once(child.stdout, 'data'),
      exited.then(() => {
        throw new Error(`server exited: ${err}`);
      }),
    ])) as [string];
    out += chunk;
  }
  return out.trimEnd().split('\n');
}

test('papo server prints the web address after its listeners and serves the app there', async (t) => {
  const lines = await serverLines(t, ['--web-port', '0', '--no-history'], 2);
  assert.match(lines[0] as string, /^listening on 127\.0\.0\.1:\d+$/);
  const match = /^web listening on (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(lines[1] as string);
  assert.ok(match, lines.join('\n'));
  const res = await fetch(match[1] as string);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<title>papo<\/title>/);
});

test('a web port in use is one clear line and exit 1', async () => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const port = (blocker.address() as { port: number }).port;
  try {
    const args = ['server', '--port', '0', '--web-port', String(port), '--no-history', '--log-level', 'warn'];
    const r = await runCli(
      [...args, '--data-dir', tempDir()],
      { PAPO_NO_WEB: undefined },
      { timeoutMs: 10_000 },
    );
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `papo: cannot serve the web UI on 127.0.0.1 port ${port}: the address is already in use\n`,
    );
  } finally {
    blocker.close();
  }
});
