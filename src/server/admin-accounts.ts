import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { fail } from '../cli-util.js';
import type { AccountRecord, Done } from '../core/accounts.js';
import { nameKey } from '../core/names.js';
import { ACCOUNTS_FILE, SqliteAccounts } from '../store/sqlite-accounts.js';
import { dataDirOption, validName } from './admin-args.js';

/** Opens `<data-dir>/accounts.db` if there is one (the tool never creates it), or stops with one line. */
function openExisting(dataDir: string): SqliteAccounts {
  const file = join(dataDir, ACCOUNTS_FILE);
  if (!existsSync(file)) fail(`no accounts yet in ${dataDir} (no ${ACCOUNTS_FILE})`);
  try {
    return new SqliteAccounts(file);
  } catch (err) {
    fail(`cannot open the accounts database ${file}: ${(err as Error).message}`, err);
  }
}

/** Runs one store call to its answer; a store Error stops the tool with one line. */
function ask<T>(call: (done: Done<T>) => void): Promise<T> {
  return new Promise<T>((resolve) =>
    call((result) =>
      result instanceof Error ? fail(`accounts: ${result.message}`, result) : resolve(result),
    ),
  );
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function describe(a: AccountRecord): string {
  const proofs = [a.hasPassword ? 'password' : null, a.fingerprint === null ? null : `key ${a.fingerprint}`];
  return `${a.name}  registered ${utc(a.created)}  ${proofs.filter((p) => p !== null).join(', ')}`;
}

/** `papo admin accounts`: registered names, offline, on the data directory. */
export function accountsCommand(): Command {
  const accounts = new Command('accounts').description(
    'registered names in <data-dir>/accounts.db (a running server sees a change at once)',
  );
  accounts
    .command('list')
    .description('list the registered names: when, and with a password, a key or both')
    .addOption(dataDirOption())
    .action((o: { dataDir: string }) => {
      const store = openExisting(o.dataDir);
      for (const a of store.list()) process.stdout.write(`${describe(a)}\n`);
      store.close();
    });
  accounts
    .command('remove')
    .description('unregister NAME (someone using it keeps it until they leave)')
    .argument('<name>')
    .addOption(dataDirOption())
    .action(async (raw: string, o: { dataDir: string }) => {
      const name = validName(raw);
      const store = openExisting(o.dataDir);
      const removed = await ask<boolean>((done) => store.unregister(nameKey(name), done));
      store.close();
      if (!removed) fail(`${name} is not registered`);
      process.stdout.write(`${name} is no longer registered\n`);
    });
  accounts
    .command('reset-password')
    .description(
      'give NAME a new random password, printed once (its owner changes it with /password); a bound key stays',
    )
    .argument('<name>')
    .addOption(dataDirOption())
    .action(async (raw: string, o: { dataDir: string }) => {
      const name = validName(raw);
      const store = openExisting(o.dataDir);
      // 18 random bytes: 24 characters from base64url, nothing a shell or a chat line mangles.
      const password = randomBytes(18).toString('base64url');
      const set = await ask<boolean>((done) => store.setPassword(nameKey(name), password, done));
      store.close();
      if (!set) fail(`${name} is not registered`);
      process.stdout.write(`${name}'s new password: ${password}\n`);
    });
  return accounts;
}
