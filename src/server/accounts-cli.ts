import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Logger } from 'pino';
import { fail } from '../cli-util.js';
import type { Cluster } from '../cluster/index.js';
import type { RedisAccounts } from '../cluster/redis-accounts.js';
import { DEFAULT_SCRYPT } from '../store/password-hash.js';
import { ACCOUNTS_FILE, SqliteAccounts } from '../store/sqlite-accounts.js';

/** What `papo server` is told about accounts (docs/SERVER.md, "Accounts"). */
export interface AccountOptions {
  /** Only registered names may join (`--require-account`). */
  requireAccount: boolean;
  /** Newcomers may register (`--no-registration` turns it off). */
  registration: boolean;
  /** Names nobody may take, nor their look-alikes (`--reserved-names FILE`; default: a built-in list). */
  reservedNames: string[];
}

/** Taken by nobody unless `--reserved-names` says otherwise: names that would pass for the server's staff. */
export const DEFAULT_RESERVED_NAMES: readonly string[] = [
  'admin',
  'administrator',
  'root',
  'server',
  'system',
  'papo',
  'operator',
  'moderator',
  'sysop',
  'staff',
  'support',
  'nickserv',
  'chanserv',
];

export const ACCOUNT_DEFAULTS: AccountOptions = {
  requireAccount: false,
  registration: true,
  reservedNames: [...DEFAULT_RESERVED_NAMES],
};

/** Reads a reserved-names file: one name per line, `#` starts a comment, blank lines ignored. */
export function readReservedNames(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line.length > 0);
}

/** The `papo server` flags about accounts. */
export function accountOptions(): Option[] {
  const opt = (flags: string, description: string, env: string) => new Option(flags, description).env(env);
  return [
    opt(
      '--require-account',
      'only registered names may join (newcomers register at the door unless --no-registration)',
      'PAPO_REQUIRE_ACCOUNT',
    ),
    opt('--no-registration', 'nobody may register a name (/register is refused)', 'PAPO_NO_REGISTRATION'),
    opt(
      '--reserved-names <file>',
      'names nobody may take, nor their look-alikes: one per line, # comments (default: admin, root, server, ...)',
      'PAPO_RESERVED_NAMES',
    ).argParser(readReservedNames),
  ];
}

export function accountSettings(o: Record<string, unknown>): AccountOptions {
  return {
    requireAccount: Boolean(o.requireAccount),
    registration: o.registration !== false,
    reservedNames: (o.reservedNames as string[] | undefined) ?? [...DEFAULT_RESERVED_NAMES],
  };
}

const hashing = (log: Logger) => ({
  onTrouble: (problem: unknown) => log.warn({ problem }, 'password hashing'),
});

/** Opens `<data-dir>/accounts.db` (kept with or without history), or stops with one clear line. */
export function openAccounts(dataDir: string, log: Logger): SqliteAccounts {
  const file = join(dataDir, ACCOUNTS_FILE);
  try {
    const accounts = new SqliteAccounts(file, DEFAULT_SCRYPT, hashing(log));
    log.debug({ file, accounts: accounts.count() }, 'accounts');
    return accounts;
  } catch (err) {
    fail(`cannot open the accounts database ${file}: ${(err as Error).message}`, err);
  }
}

/**
 * In cluster mode: the accounts every node shares, in Redis (docs/CLUSTER.md, "Accounts"), or
 * stops with one clear line. This node's own accounts.db is not used; if it holds accounts the
 * cluster lacks, a warning says how to copy them (`papo admin accounts import-to-cluster`).
 */
export async function openClusterAccounts(
  cluster: Cluster,
  dataDir: string,
  log: Logger,
): Promise<RedisAccounts> {
  let accounts: RedisAccounts;
  try {
    accounts = await cluster.openAccounts({ hashing: hashing(log) });
  } catch (err) {
    fail(`cannot open the cluster's accounts: ${(err as Error).message}`, err);
  }
  const file = join(dataDir, ACCOUNTS_FILE);
  if (!existsSync(file)) return accounts;
  try {
    const local = new SqliteAccounts(file);
    const stored = local.stored();
    local.close();
    const inCluster = await Promise.all(
      stored.map(
        (a) =>
          new Promise((resolve) =>
            accounts.lookup(a.key, (r) => resolve(r !== null && !(r instanceof Error))),
          ),
      ),
    );
    const missing = inCluster.filter((found) => !found).length;
    if (missing > 0)
      log.warn(
        { file, missing },
        "cluster mode: this node's accounts.db holds accounts the cluster lacks, unused here; copy them with papo admin accounts import-to-cluster",
      );
  } catch (err) {
    log.warn({ file, err: (err as Error).message }, 'cluster mode: cannot read the local accounts.db');
  }
  return accounts;
}
