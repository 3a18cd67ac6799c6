import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteAccounts } from '../../src/store/sqlite-accounts.js';
import { FAST_THROTTLE } from '../helpers/accounts.js';
import { spawnServer } from '../helpers/cli.js';
import { LineClient } from '../helpers/line-client.js';
import { pollUntil } from '../helpers/poll.js';
import { startServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';

/** A server whose accounts hash at the real cost (N=2^17): a hash lasts long enough to be cut. */
async function slowHashing(t: { after(fn: () => unknown): void }) {
  const accounts = new SqliteAccounts(join(tempDir(t), 'accounts.db'));
  const srv = await startServer({}, { accounts, loginThrottle: FAST_THROTTLE });
  const clients: LineClient[] = [];
  t.after(async () => {
    for (const c of clients) c.destroy();
    await srv.stop();
    accounts.close();
  });
  await new Promise<void>((resolve, reject) =>
    accounts.register({ key: 'ana', name: 'ana', skeleton: 'ana', created: 0, password: 'pw-ana' }, (r) =>
      r instanceof Error ? reject(r) : resolve(),
    ),
  );
  const connect = async () => {
    const c = await LineClient.connect(srv.port);
    clients.push(c);
    return c;
  };
  return { accounts, connect };
}

/** The hashing child's pid, once it has one. */
function hashingPid(accounts: SqliteAccounts): number {
  const [pid] = accounts.hasher.pids();
  assert.ok(pid !== undefined, 'a hashing process runs');
  return pid;
}

test('JSON: a login whose hashing process dies is refused with ACCOUNTS_UNAVAILABLE, and the next try gets in', async (t) => {
  const { accounts, connect } = await slowHashing(t);
  const c = await connect();
  c.sendLine(JSON.stringify({ type: 'hello', version: 2 }));
  await c.jsonOfType('hello');
  c.sendLine(JSON.stringify({ type: 'join', name: 'ana', password: 'pw-ana', ref: 'j1' }));
  await c.jsonOfType('challenge');
  // The check went to the child in the turn that sent the challenge; it takes a good part of a second.
  assert.equal(accounts.hasher.inFlight(), 1);
  const first = hashingPid(accounts);
  process.kill(first, 'SIGKILL');
  const err = await c.jsonOfType('error', 30_000);
  assert.equal(err.code, 'ACCOUNTS_UNAVAILABLE');
  assert.equal(err.ref, 'j1');
  c.sendLine(JSON.stringify({ type: 'join', name: 'ana', password: 'pw-ana', ref: 'j2' }));
  assert.equal((await c.jsonOfType('welcome', 30_000)).name, 'ana');
  assert.notEqual(hashingPid(accounts), first);
});

test('plain: a password check cut by the hashing process dying says so, and the name prompt comes back', async (t) => {
  const { accounts, connect } = await slowHashing(t);
  const c = await connect();
  await c.prompt();
  c.sendLine('ana');
  await c.prompt('Password: ');
  c.sendLine('pw-ana');
  await pollUntil(() => accounts.hasher.inFlight() > 0, 'the password check to start');
  process.kill(hashingPid(accounts), 'SIGKILL');
  await c.lineMatching('!! Accounts are unavailable right now; try later.', 30_000);
  await c.prompt('Your name: ');
  c.sendLine('ana');
  await c.prompt('Password: ');
  c.sendLine('pw-ana');
  await c.lineMatching(/^\*\*\* Welcome, ana!/, 30_000);
});

/** The pids of `parent`'s children (Linux: /proc/PID/stat's fourth field). */
function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
    } catch {
      // It ended while we looked.
    }
  }
  return pids;
}

test(
  'papo server hashes in a child at nice 19 that ends with it, on SIGTERM or when the server is killed',
  { skip: process.platform !== 'linux' && 'reads /proc' },
  async () => {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const srv = await spawnServer(['--no-web', '--no-history']);
      const c = await LineClient.join(srv.port, 'ana');
      c.sendLine('/register pw-ana');
      await c.lineMatching(/now registered/, 30_000);
      const [child] = childrenOf(srv.child.pid as number);
      assert.ok(child !== undefined, 'a hashing process runs');
      assert.equal(getPriority(child), 19);
      srv.child.kill(signal);
      await srv.exited;
      c.destroy();
      // Its parent gone, the child sees its IPC channel close and exits; init reaps it.
      await pollUntil(() => !existsSync(`/proc/${child}`), `process ${child} to end`);
    }
  },
);
