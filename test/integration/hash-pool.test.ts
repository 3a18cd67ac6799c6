import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { scryptSync } from 'node:crypto';
import { test } from 'node:test';
import { HashPool, type DeriveRequest } from '../../src/store/hash-pool.js';
import { pollUntil, processExists } from '../helpers/poll.js';

const SALT = Buffer.from('0123456789abcdef');
const MAXMEM = 256 * 1024 * 1024;

function request(password: string, N = 2 ** 10): DeriveRequest {
  return { password, salt: SALT.toString('base64'), keyBytes: 32, N, r: 8, p: 1, maxmem: MAXMEM };
}

function expected(password: string, N = 2 ** 10): Buffer {
  return scryptSync(password, SALT, 32, { N, r: 8, p: 1, maxmem: MAXMEM });
}

/** Resolves once `pid` is gone (reaped). */
const gone = (pid: number) => pollUntil(() => !processExists(pid), `process ${pid} to end`);

/** The nice value of each of a process's threads (Linux: field 19 of /proc/PID/task/TID/stat). */
function threadNices(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

test('derives the same scrypt key as node:crypto, in a child process at nice 19 (every thread)', async (t) => {
  const pool = new HashPool({ processes: 1 });
  t.after(() => pool.close());
  assert.deepEqual(await pool.derive(request('s3cret')), expected('s3cret'));
  const [pid] = pool.pids();
  assert.ok(pid !== undefined && pid !== process.pid);
  assert.equal(getPriority(pid), 19);
  if (process.platform === 'linux') assert.deepEqual([...new Set(threadNices(pid))], [19]);
});

test('runs at most `processes` hashes at once and answers every queued one', async (t) => {
  const pool = new HashPool({ processes: 2 });
  t.after(() => pool.close());
  const passwords = Array.from({ length: 7 }, (_, i) => `pw-${i}`);
  const keys = await Promise.all(passwords.map((pw) => pool.derive(request(pw))));
  assert.deepEqual(
    keys,
    passwords.map((pw) => expected(pw)),
  );
  assert.ok(pool.pids().length <= 2, `${pool.pids().length} children`);
});

test('a child killed during a hash fails that hash with a clear error, and the next starts a new child', async (t) => {
  const pool = new HashPool({ processes: 1 });
  t.after(() => pool.close());
  await pool.derive(request('warm-up'));
  const [first] = pool.pids() as [number];
  const during = pool.derive(request('slow', 2 ** 17)); // sent at once: the child is idle
  process.kill(first, 'SIGKILL');
  await assert.rejects(during, /password hashing process ended \(SIGKILL\) during the hash/);
  assert.deepEqual(await pool.derive(request('after')), expected('after'));
  assert.notEqual(pool.pids()[0], first);
});

test('a hash over the time limit fails and its child is replaced', async (t) => {
  const pool = new HashPool({ processes: 1, timeoutMs: 50 });
  t.after(() => pool.close());
  await pool.derive(request('warm-up'));
  const [first] = pool.pids() as [number];
  // 2^20: 1 GiB and seconds of work, well over 50 ms.
  await assert.rejects(
    pool.derive({ ...request('slow', 2 ** 20), maxmem: 2 * 1024 ** 3 }),
    /password hashing took over 50 ms to hash a password/,
  );
  // At once, before the killed child is gone: the hash goes to a new one.
  assert.deepEqual(await pool.derive(request('after')), expected('after'));
  assert.notEqual(pool.pids()[0], first);
  await gone(first);
});

test('a hash scrypt refuses (bad parameters) fails with its reason and the child stays', async (t) => {
  const pool = new HashPool({ processes: 1 });
  t.after(() => pool.close());
  await assert.rejects(pool.derive(request('pw', 3)), /scrypt refused/);
  const [pid] = pool.pids();
  assert.deepEqual(await pool.derive(request('pw')), expected('pw'));
  assert.deepEqual(pool.pids(), [pid]);
});

test('close fails the hash under way and the queued ones, ends the children and refuses new hashes', async () => {
  const pool = new HashPool({ processes: 1 });
  await pool.derive(request('warm-up'));
  const [pid] = pool.pids() as [number];
  const running = pool.derive(request('a', 2 ** 17));
  const queued = pool.derive(request('b'));
  pool.close();
  await assert.rejects(running, /shutting down/);
  await assert.rejects(queued, /shutting down/);
  await assert.rejects(pool.derive(request('c')), /shutting down/);
  await gone(pid);
});

test('an idle child does not keep its parent process running', async () => {
  const script = `
    import { HashPool } from ${JSON.stringify(new URL('../../src/store/hash-pool.ts', import.meta.url).href)};
    const pool = new HashPool({ processes: 1 });
    const key = await pool.derive(${JSON.stringify(request('pw'))});
    console.log(key.toString('hex'));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const safety = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(safety);
  assert.deepEqual([code, signal], [0, null], 'it exited by itself once the hash was done');
  assert.equal(out.trim(), expected('pw').toString('hex'));
});
