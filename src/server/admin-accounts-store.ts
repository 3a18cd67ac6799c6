import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Option } from 'commander';
import { fail } from '../cli-util.js';
import type { AccountRecord, Accounts } from '../core/accounts.js';
import type { RedisAccounts } from '../cluster/redis-accounts.js';
import { ACCOUNTS_FILE, SqliteAccounts } from '../store/sqlite-accounts.js';
import { checkClusterUrl, redact } from './cluster-cli.js';

/** What `papo admin accounts` works on: a node's accounts.db, or a cluster's accounts in Redis. */
export interface AdminAccounts {
  accounts: Accounts;
  list(): Promise<AccountRecord[]>;
  close(): void;
}

/** `--cluster URL`: the `papo admin accounts` commands work on the cluster's accounts instead. */
export function clusterAdminOption(): Option {
  return new Option(
    '--cluster <url>',
    "work on a cluster's accounts in Redis (redis://HOST:PORT[/DB]; password in the URL or PAPO_CLUSTER_PASSWORD) instead of <data-dir>/accounts.db",
  ).env('PAPO_CLUSTER');
}

/** Opens `<data-dir>/accounts.db` if there is one (the tool never creates it), or stops with one line. */
export function openLocal(dataDir: string): SqliteAccounts {
  const file = join(dataDir, ACCOUNTS_FILE);
  if (!existsSync(file)) fail(`no accounts yet in ${dataDir} (no ${ACCOUNTS_FILE})`);
  try {
    return new SqliteAccounts(file);
  } catch (err) {
    fail(`cannot open the accounts database ${file}: ${(err as Error).message}`, err);
  }
}

/**
 * The cluster's accounts on a connection of the tool's own: no retry, no queue, so an
 * unreachable Redis is one clear line within seconds, not a hang. Redis code loads only here.
 */
export async function openCluster(url: string): Promise<{ store: RedisAccounts; close(): void }> {
  checkClusterUrl(url);
  const [{ Redis }, { RedisAccounts }, { clusterKeys }] = await Promise.all([
    import('ioredis'),
    import('../cluster/redis-accounts.js'),
    import('../cluster/keys.js'),
  ]);
  const password = process.env.PAPO_CLUSTER_PASSWORD;
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 5000,
    ...(password ? { password } : {}),
  });
  redis.on('error', () => {}); // reported by the failing call below
  try {
    await redis.connect();
    const store = await RedisAccounts.open(redis, clusterKeys());
    return {
      store,
      close: () => {
        store.close();
        redis.disconnect();
      },
    };
  } catch (err) {
    redis.disconnect();
    fail(`cannot reach the cluster's Redis at ${redact(url)}: ${(err as Error).message}`, err);
  }
}

/** The store the options name: the cluster's with `--cluster`, else the data directory's. */
export async function openAdminAccounts(o: { dataDir: string; cluster?: string }): Promise<AdminAccounts> {
  if (o.cluster !== undefined && o.cluster !== '') {
    const { store, close } = await openCluster(o.cluster);
    return { accounts: store, list: () => store.list(), close };
  }
  const store = openLocal(o.dataDir);
  return { accounts: store, list: () => Promise.resolve(store.list()), close: () => store.close() };
}
