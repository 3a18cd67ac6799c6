import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { CLI, tempDir } from '../helpers/cli.js';
import { logRecords, waitForLog } from '../helpers/log-records.js';

const OPEN_FILES = 256;
const CONNECTIONS = 400;

type Outcome = 'served' | 'refused' | 'closed';

/**
 * Connects and resolves with what the server did first: a banner, a refusal line, or a bare
 * close. Like nc, the client keeps its side open after the server's, so refused connections
 * stay until the server cuts them, and the refusal room fills.
 */
function outcome(port: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let seen = '';
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    socket.on('data', (d: string) => {
      seen += d;
      if (seen.startsWith('*** papo')) resolve('served');
      else if (seen.startsWith('!! ')) resolve('refused');
    });
    socket.on('end', () => resolve('closed')); // the server's FIN: it closed its side
    socket.on('close', () => resolve('closed'));
    held.push(socket);
  });
}
const held: ReturnType<typeof connect>[] = [];

test(
  `under ulimit -n ${OPEN_FILES}, --max-clients is capped and ${CONNECTIONS} connections are each served or refused`,
  { skip: !existsSync('/proc/self/limits') && 'needs /proc/self/limits (Linux)' },
  async (t) => {
    const child = spawn(
      'bash',
      ['-c', `ulimit -n ${OPEN_FILES}; exec "$0" "$@"`, process.execPath, CLI, 'server'].concat([
        '--port',
        '0',
        '--data-dir',
        tempDir(),
      ]),
      { env: { ...process.env, LANG: 'C' } },
    );
    t.after(() => {
      held.forEach((s) => s.destroy());
      child.kill('SIGKILL');
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 10_000);
      child.stdout.on('data', () => {
        const m = /listening on \S+:(\d+)\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
    });
    const records = () => logRecords(err);
    const logged = (msg: string) => waitForLog(child.stderr, () => err, msg);
    const cap = await logged('--max-clients capped by the open-file limit');
    assert.equal(cap.level, 40);
    assert.equal(cap.openFileLimit, OPEN_FILES);
    const maxClients = cap.maxClients as number;
    assert.ok(maxClients > 0 && maxClients < OPEN_FILES, `capped to ${maxClients}`);

    const pending = Array.from({ length: CONNECTIONS }, () => outcome(port));
    const timeout = new Promise<never>((_, reject) => {
      const timer = setTimeout(
        () => reject(new Error('some connections were neither served nor closed in 10 s')),
        10_000,
      );
      timer.unref();
    });
    const outcomes = await Promise.race([Promise.all(pending), timeout]);
    const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
    assert.equal(count('served'), maxClients, 'every place is taken, none past the cap');
    assert.ok(count('refused') > 0, 'some are told the server is full');
    assert.ok(count('closed') > 0, 'the rest, past the room to refuse, are closed at once');
    // Connections closed without a word are logged once per burst, not once each.
    assert.equal((await logged('connections dropped: too many open at once')).level, 40);
    assert.equal(records().filter((r) => r.msg === 'connections dropped: too many open at once').length, 1);
    held.forEach((s) => s.destroy());
    child.kill('SIGTERM');
    assert.equal((await once(child, 'exit'))[0], 0);
  },
);
