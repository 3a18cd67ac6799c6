import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { fail } from '../cli-util.js';
import type { AccountRecord, Done } from '../core/accounts.js';
import { nameKey } from '../core/names.js';
import { skeleton } from '../core/skeleton.js';
import { clusterAdminOption, openAdminAccounts, openCluster, openLocal } from './admin-accounts-store.js';
import { dataDirOption, validName } from './admin-args.js';

type Where = { dataDir: string; cluster?: string };

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

/** `papo admin accounts`: registered names, on the data directory or, with --cluster, in Redis. */
export function accountsCommand(): Command {
  const accounts = new Command('accounts').description(
    "registered names in <data-dir>/accounts.db, or a cluster's with --cluster URL (a running server sees a change at once)",
  );
  accounts
    .command('list')
    .description('list the registered names: when, and with a password, a key or both')
    .addOption(dataDirOption())
    .addOption(clusterAdminOption())
    .action(async (o: Where) => {
      const store = await openAdminAccounts(o);
      const list = await store.list().catch((err: Error) => fail(`accounts: ${err.message}`, err));
      for (const a of list) process.stdout.write(`${describe(a)}\n`);
      store.close();
    });
  accounts
    .command('remove')
    .description('unregister NAME (someone using it keeps it until they leave)')
    .argument('<name>')
    .addOption(dataDirOption())
    .addOption(clusterAdminOption())
    .action(async (raw: string, o: Where) => {
      const name = validName(raw);
      const store = await openAdminAccounts(o);
      const removed = await ask<boolean>((done) => store.accounts.unregister(nameKey(name), done));
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
    .addOption(clusterAdminOption())
    .action(async (raw: string, o: Where) => {
      const name = validName(raw);
      const store = await openAdminAccounts(o);
      // 18 random bytes: 24 characters from base64url, nothing a shell or a chat line mangles.
      const password = randomBytes(18).toString('base64url');
      const set = await ask<boolean>((done) => store.accounts.setPassword(nameKey(name), password, done));
      store.close();
      if (!set) fail(`${name} is not registered`);
      process.stdout.write(`${name}'s new password: ${password}\n`);
    });
  accounts
    .command('import-to-cluster')
    .description(
      "copy <data-dir>/accounts.db's accounts into the cluster's (passwords and keys as they are); a name or look-alike the cluster has keeps the cluster's account",
    )
    .addOption(dataDirOption())
    .addOption(clusterAdminOption().makeOptionMandatory())
    .action(async (o: Required<Where>) => importToCluster(o));
  return accounts;
}

/**
 * Copies a node's accounts into the cluster: never overwrites, so running it again, or on
 * every node, is safe; each account not copied is one line saying why.
 */
async function importToCluster(o: Required<Where>): Promise<void> {
  const local = openLocal(o.dataDir);
  const stored = local.stored();
  local.close();
  const { store, close } = await openCluster(o.cluster);
  let copied = 0;
  for (const a of stored) {
    const result = await store.copy(a).catch((err: Error) => fail(`accounts: ${err.message}`, err));
    if (result === 'ok') {
      copied++;
      continue;
    }
    if (result === 'taken') {
      process.stdout.write(`${a.name}: not copied, the cluster has this name registered (kept)\n`);
      continue;
    }
    const other = await ask<string | null>((done) => store.lookAlike(skeleton(a.name), a.key, done));
    process.stdout.write(
      `${a.name}: not copied, looks like ${other ?? 'a name'} registered in the cluster\n`,
    );
  }
  close();
  process.stdout.write(`copied ${copied} of ${stored.length} accounts into the cluster\n`);
}
