import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { clusterKeys } from '../../src/cluster/keys.js';
import { RedisAccounts } from '../../src/cluster/redis-accounts.js';
import type { Accounts, Done } from '../../src/core/accounts.js';
import { skeleton } from '../../src/core/skeleton.js';
import { SqliteAccounts } from '../../src/store/sqlite-accounts.js';
import { TEST_SCRYPT } from '../helpers/accounts.js';
import { tempDir } from '../helpers/cli.js';
import { clusterFixture, freePort, SKIP } from './harness.js';

const CLI_SOURCE = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** `papo admin accounts …` from the sources (the cluster tests need no build). */
async function admin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_SOURCE, 'admin', 'accounts', ...args], {
    env: { ...process.env, LANG: 'C', PAPO_CLUSTER: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

const ask = <T>(call: (done: Done<T>) => void) =>
  new Promise<T>((resolve, reject) => call((r) => (r instanceof Error ? reject(r) : resolve(r))));

const CREATED = Date.UTC(2026, 11, 3, 13, 45);

function register(store: Accounts, name: string, password: string): Promise<string> {
  const r = { key: name.toLowerCase(), name, skeleton: skeleton(name), created: CREATED, password };
  return ask((done) => store.register(r, done));
}

/** The cluster's accounts, opened as a node would, on a connection of the test's own. */
async function clusterStore(t: { after(fn: () => unknown): void }, url: string): Promise<RedisAccounts> {
  const redis = new Redis(url);
  const store = await RedisAccounts.open(redis, clusterKeys(), { scrypt: TEST_SCRYPT });
  t.after(() => {
    store.close();
    redis.disconnect();
  });
  return store;
}

test(
  'papo admin accounts list, remove and reset-password work on the cluster with --cluster',
  { skip: SKIP, timeout: 60_000 },
  async (t) => {
    const { redis } = await clusterFixture(t);
    const store = await clusterStore(t, redis.url);
    for (const name of ['ana', 'Bia']) await register(store, name, `pw-${name}`);
    const url = ['--cluster', redis.url];

    const list = await admin(['list', ...url]);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(
      list.stdout,
      'ana  registered 2026-12-03 13:45 UTC  password\nBia  registered 2026-12-03 13:45 UTC  password\n',
    );

    const reset = await admin(['reset-password', 'ANA', ...url]);
    assert.equal(reset.code, 0, reset.stderr);
    const password = /^ANA's new password: (\S+)\n$/.exec(reset.stdout)?.[1] as string;
    assert.ok(password, reset.stdout);
    assert.equal(await ask<boolean>((d) => store.verifyPassword('ana', password, d)), true);
    assert.equal(await ask<boolean>((d) => store.verifyPassword('ana', 'pw-ana', d)), false);

    const removed = await admin(['remove', 'bia', ...url]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, 'bia is no longer registered\n');
    assert.equal(await ask((d) => store.lookup('bia', d)), null);
    const again = await admin(['remove', 'bia', ...url]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'papo: bia is not registered\n');
  },
);

test(
  'import-to-cluster copies a node’s accounts as they are, never overwrites, and says why for each one it leaves',
  { skip: SKIP, timeout: 60_000 },
  async (t) => {
    const { redis } = await clusterFixture(t);
    const store = await clusterStore(t, redis.url);
    await register(store, 'bia', 'cluster-bia');
    await register(store, 'paypal', 'cluster-pp');
    const dir = tempDir();
    const local = new SqliteAccounts(join(dir, 'accounts.db'), TEST_SCRYPT);
    t.after(() => local.close());
    await register(local, 'ana', 'local-ana');
    await register(local, 'bia', 'local-bia');
    await register(local, 'p\u0430ypal', 'local-pp'); // Cyrillic а

    const run = await admin(['import-to-cluster', '--data-dir', dir, '--cluster', redis.url]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      'bia: not copied, the cluster has this name registered (kept)\n' +
        'p\u0430ypal: not copied, looks like paypal registered in the cluster\n' +
        'copied 1 of 3 accounts into the cluster\n',
    );
    // The hash travelled as it was: the local password logs in on the cluster.
    assert.equal(await ask<boolean>((d) => store.verifyPassword('ana', 'local-ana', d)), true);
    assert.equal(await ask<boolean>((d) => store.verifyPassword('bia', 'cluster-bia', d)), true);
    assert.equal(await ask<boolean>((d) => store.verifyPassword('bia', 'local-bia', d)), false);
    // Again: nothing changes.
    const twice = await admin(['import-to-cluster', '--data-dir', dir, '--cluster', redis.url]);
    assert.match(twice.stdout, /copied 0 of 3 accounts into the cluster\n$/);

    const noCluster = await admin(['import-to-cluster', '--data-dir', dir]);
    assert.equal(noCluster.code, 1);
    assert.match(noCluster.stderr, /--cluster/);
  },
);

test(
  'an unreachable or wrong Redis is one clear line and exit 1, quickly',
  { skip: SKIP, timeout: 30_000 },
  async () => {
    const started = Date.now();
    const down = await admin(['list', '--cluster', `redis://127.0.0.1:${await freePort()}`]);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^papo: cannot reach the cluster's Redis at redis:\/\/127\.0\.0\.1:\d+: .+\n$/);
    assert.ok(Date.now() - started < 15_000);
    const bad = await admin(['list', '--cluster', 'http://user:secret@host']);
    assert.equal(bad.code, 1);
    assert.doesNotMatch(bad.stderr, /secret/);
    assert.match(bad.stderr, /expected redis:\/\//);
  },
);
