import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Logger } from 'pino';
import { fail } from '../cli-util.js';
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

/** Opens `<data-dir>/accounts.db` (kept with or without history), or stops with one clear line. */
export function openAccounts(dataDir: string, log: Logger): SqliteAccounts {
  const file = join(dataDir, ACCOUNTS_FILE);
  try {
    const accounts = new SqliteAccounts(file, DEFAULT_SCRYPT, {
      onTrouble: (problem) => log.warn({ problem }, 'password hashing'),
    });
    log.debug({ file, accounts: accounts.count() }, 'accounts');
    return accounts;
  } catch (err) {
    fail(`cannot open the accounts database ${file}: ${(err as Error).message}`, err);
  }
}
