import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { AccountRecord, Accounts, Done, Registration } from '../core/accounts.js';
import { CONFUSABLES_UNICODE_VERSION } from '../core/confusables-data.js';
import { skeleton } from '../core/skeleton.js';
import { keyFingerprint, rawPublicKey, verifySignature } from './ed25519.js';
import type { HashPoolOptions } from './hash-pool.js';
import { DEFAULT_SCRYPT, PasswordHasher, type ScryptParams } from './password-hash.js';

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
  return {
    key: row.key,
    name: row.name,
    created: row.created,
    hasPassword: row.password_hash !== null,
    fingerprint: row.public_key === null ? null : keyFingerprint(Buffer.from(row.public_key, 'base64')),
  };
}

/** Calls `done` with the promise's value, or with the Error it failed with. */
function settle<T>(promise: Promise<T>, done: Done<T>): void {
  promise.then(done, (err: unknown) => done(err instanceof Error ? err : new Error(String(err))));
}

/**
 * The accounts port over SQLite (better-sqlite3): lookups answer at once (an indexed read),
 * password hashing runs in low-priority child processes and answers later.
 */
export class SqliteAccounts implements Accounts {
  /** A random id of this server, kept with the accounts: key logins over plain TCP sign it. */
  readonly serverId: string;
  /** Where passwords are hashed (its processes start on the first hash). */
  readonly hasher: PasswordHasher;
  private readonly db: Database.Database;

  constructor(
    file: string,
    private readonly scrypt: ScryptParams = DEFAULT_SCRYPT,
    hashing: Partial<HashPoolOptions> = {},
  ) {
    this.db = new Database(file);
    this.hasher = new PasswordHasher(hashing);
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
    return (this.db.prepare('SELECT * FROM accounts ORDER BY key').all() as Row[]).map(toRecord);
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
    const hash = this.row(key)?.password_hash ?? null;
    if (hash === null) return done(false);
    settle(this.hasher.verify(password, hash), done);
  }

  verifyKey(
    key: string,
    publicKey: string,
    message: string,
    signature: string | null,
    done: Done<boolean>,
  ): void {
    const stored = this.row(key)?.public_key ?? null;
    const raw = rawPublicKey(publicKey);
    if (stored === null || raw === null || !raw.equals(Buffer.from(stored, 'base64'))) return done(false);
    done(signature === null ? true : verifySignature(raw, message, signature));
  }

  register(r: Registration, done: Done<'ok' | 'taken' | 'bad_key'>): void {
    let publicKey: string | null = null;
    if (r.publicKey !== undefined) {
      const raw = rawPublicKey(r.publicKey);
      if (raw === null) return done('bad_key');
      publicKey = raw.toString('base64');
    }
    const hashed =
      r.password === undefined ? Promise.resolve(null) : this.hasher.hash(r.password, this.scrypt);
    settle(
      hashed.then((hash) => {
        const info = this.db
          .prepare(
            'INSERT OR IGNORE INTO accounts (key, name, skeleton, password_hash, public_key, created) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(r.key, r.name, r.skeleton, hash, publicKey, r.created);
        return info.changes === 1 ? ('ok' as const) : ('taken' as const);
      }),
      done,
    );
  }

  setPassword(key: string, password: string, done: Done<boolean>): void {
    settle(
      this.hasher
        .hash(password, this.scrypt)
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
    this.hasher.close();
    this.db.close();
  }
}
