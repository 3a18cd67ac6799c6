import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { AccountRecord, Accounts, Done, Registration } from '../core/accounts.js';
import type { StoredAccount } from './account-proofs.js';
import { CONFUSABLES_UNICODE_VERSION } from '../core/confusables-data.js';
import { skeleton } from '../core/skeleton.js';
import {
  keyProves,
  PasswordProofs,
  settle,
  storedPublicKey,
  toRecord as recordOf,
} from './account-proofs.js';
import type { HashPoolOptions } from './hash-pool.js';
import { DEFAULT_SCRYPT, type PasswordHasher, type ScryptParams } from './password-hash.js';

/** The accounts database's file name in the data dir: apart from the history, so it survives `--no-history`. */
export const ACCOUNTS_FILE = 'accounts.db';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS accounts (
  key TEXT PRIMARY KEY,           -- nameKey(name): what identifies the account
  name TEXT NOT NULL,             -- the name as registered
  skeleton TEXT NOT NULL,         -- its confusable skeleton (UTS #39): look-alikes are refused
  password_hash TEXT,             -- scrypt$N$r$p$salt$hash, or NULL (key only)
  public_key TEXT,                -- Ed25519, 32 raw bytes in base64, or NULL (password only)
  created INTEGER NOT NULL        -- ms since the epoch
) STRICT;
CREATE INDEX IF NOT EXISTS accounts_skeleton ON accounts (skeleton);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL) STRICT;
`;

interface Row {
  key: string;
  name: string;
  password_hash: string | null;
  public_key: string | null;
  created: number;
}

function toRecord(row: Row): AccountRecord {
  return recordOf(stored(row));
}

function stored(row: Row): StoredAccount {
  return {
    key: row.key,
    name: row.name,
    created: row.created,
    passwordHash: row.password_hash,
    publicKey: row.public_key,
  };
}

/**
 * The accounts port over SQLite (better-sqlite3): lookups answer at once (an indexed read),
 * password hashing runs in low-priority child processes and answers later.
 */
export class SqliteAccounts implements Accounts {
  /** A random id of this server, kept with the accounts: key logins over plain TCP sign it. */
  readonly serverId: string;
  private readonly proofs: PasswordProofs;
  private readonly db: Database.Database;

  constructor(file: string, scrypt: ScryptParams = DEFAULT_SCRYPT, hashing: Partial<HashPoolOptions> = {}) {
    this.db = new Database(file);
    this.proofs = new PasswordProofs(scrypt, hashing);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.serverId =
      this.meta('server_id') ?? this.setMeta('server_id', randomBytes(12).toString('base64url'));
    // Skeletons follow the confusables data: recomputed when it changes.
    if (this.meta('confusables') !== CONFUSABLES_UNICODE_VERSION) {
      const update = this.db.prepare('UPDATE accounts SET skeleton = ? WHERE key = ?');
      this.db.transaction(() => {
        for (const r of this.db.prepare('SELECT key, name FROM accounts').all() as Row[])
          update.run(skeleton(r.name), r.key);
        this.setMeta('confusables', CONFUSABLES_UNICODE_VERSION);
      })();
    }
  }

  /** Where passwords are hashed (its processes start on the first hash). */
  get hasher(): PasswordHasher {
    return this.proofs.hasher;
  }

  private meta(k: string): string | undefined {
    return (this.db.prepare('SELECT v FROM meta WHERE k = ?').get(k) as { v: string } | undefined)?.v;
  }

  private setMeta(k: string, v: string): string {
    this.db.prepare('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)').run(k, v);
    return v;
  }

  private row(key: string): Row | undefined {
    return this.db.prepare('SELECT * FROM accounts WHERE key = ?').get(key) as Row | undefined;
  }

  /** How many names are registered. */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n;
  }

  /** Every account, by name (`papo` tools, tests). */
  list(): AccountRecord[] {
    return this.stored().map(recordOf);
  }

  /** Every account as stored, hash and key included, by name (the copy into a cluster). */
  stored(): StoredAccount[] {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY key').all() as Row[]).map(stored);
  }

  lookup(key: string, done: Done<AccountRecord | null>): void {
    let row: Row | undefined;
    try {
      row = this.row(key);
    } catch (err) {
      return done(err as Error);
    }
    done(row ? toRecord(row) : null);
  }

  lookAlike(sk: string, exceptKey: string | null, done: Done<string | null>): void {
    let row: { name: string } | undefined;
    try {
      row = this.db
        .prepare('SELECT name FROM accounts WHERE skeleton = ? AND key != ? LIMIT 1')
        .get(sk, exceptKey ?? '') as { name: string } | undefined;
    } catch (err) {
      return done(err as Error);
    }
    done(row?.name ?? null);
  }

  verifyPassword(key: string, password: string, done: Done<boolean>): void {
    settle(this.proofs.verify(this.row(key)?.password_hash ?? null, password), done);
  }

  verifyKey(
    key: string,
    publicKey: string,
    message: string,
    signature: string | null,
    done: Done<boolean>,
  ): void {
    done(keyProves(this.row(key)?.public_key ?? null, publicKey, message, signature));
  }

  register(r: Registration, done: Done<'ok' | 'taken' | 'bad_key'>): void {
    const publicKey = storedPublicKey(r.publicKey);
    if (publicKey === 'bad_key') return done('bad_key');
    settle(
      this.proofs.hash(r.password).then((hash) => {
        // A look-alike registered while this password was hashed takes the name too (the port's rule).
        const info = this.db
          .prepare(
            `INSERT INTO accounts (key, name, skeleton, password_hash, public_key, created)
             SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE key = ? OR skeleton = ?)`,
          )
          .run(r.key, r.name, r.skeleton, hash, publicKey, r.created, r.key, r.skeleton);
        return info.changes === 1 ? ('ok' as const) : ('taken' as const);
      }),
      done,
    );
  }

  setPassword(key: string, password: string, done: Done<boolean>): void {
    settle(
      this.proofs
        .hash(password)
        .then(
          (hash) =>
            this.db.prepare('UPDATE accounts SET password_hash = ? WHERE key = ?').run(hash, key).changes ===
            1,
        ),
      done,
    );
  }

  unregister(key: string, done: Done<boolean>): void {
    let changes: number;
    try {
      changes = this.db.prepare('DELETE FROM accounts WHERE key = ?').run(key).changes;
    } catch (err) {
      return done(err as Error);
    }
    done(changes === 1);
  }

  /** Stops the hashing processes (hashes under way fail) and closes the database. */
  close(): void {
    this.proofs.close();
    this.db.close();
  }
}
