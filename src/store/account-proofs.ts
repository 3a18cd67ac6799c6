import type { AccountRecord, Done } from '../core/accounts.js';
import { keyFingerprint, rawPublicKey, verifySignature } from './ed25519.js';
import type { HashPoolOptions } from './hash-pool.js';
import { DEFAULT_SCRYPT, PasswordHasher, type ScryptParams } from './password-hash.js';

/**
 * What every accounts store keeps of an account, as stored: the same fields and the same forms
 * in SQLite (`sqlite-accounts.ts`) and in Redis (`src/cluster/redis-accounts.ts`), so an account
 * moves between them as it is.
 */
export interface StoredAccount {
  key: string;
  name: string;
  created: number;
  /** `scrypt$N$r$p$salt$hash` (`password-hash.ts`), or null (key only). */
  passwordHash: string | null;
  /** Ed25519, 32 raw bytes in base64, or null (password only). */
  publicKey: string | null;
}

/** What the store gives the core: never the password's hash, nor the key itself. */
export function toRecord(a: StoredAccount): AccountRecord {
  return {
    key: a.key,
    name: a.name,
    created: a.created,
    hasPassword: a.passwordHash !== null,
    fingerprint: a.publicKey === null ? null : keyFingerprint(Buffer.from(a.publicKey, 'base64')),
  };
}

/** Calls `done` with the promise's value, or with the Error it failed with. */
export function settle<T>(promise: Promise<T>, done: Done<T>): void {
  promise.then(done, (err: unknown) => done(err instanceof Error ? err : new Error(String(err))));
}

/** A public key as given at registration, in its stored form; `bad_key` when it is none. */
export function storedPublicKey(given: string | undefined): string | null | 'bad_key' {
  if (given === undefined) return null;
  const raw = rawPublicKey(given);
  return raw === null ? 'bad_key' : raw.toString('base64');
}

/**
 * Whether `publicKey` is the stored key and, unless `signature` is null (a check of the key
 * only), `signature` signs `message` with it.
 */
export function keyProves(
  stored: string | null,
  publicKey: string,
  message: string,
  signature: string | null,
): boolean {
  const raw = rawPublicKey(publicKey);
  if (stored === null || raw === null || !raw.equals(Buffer.from(stored, 'base64'))) return false;
  return signature === null ? true : verifySignature(raw, message, signature);
}

/**
 * Password hashing for an accounts store: scrypt in the low-priority hash pool, off the event
 * loop, verified in constant time (`password-hash.ts`). One per store; `close` stops its processes.
 */
export class PasswordProofs {
  /** Where passwords are hashed (its processes start on the first hash). */
  readonly hasher: PasswordHasher;

  constructor(
    private readonly scrypt: ScryptParams = DEFAULT_SCRYPT,
    hashing: Partial<HashPoolOptions> = {},
  ) {
    this.hasher = new PasswordHasher(hashing);
  }

  /** The stored form of `password` (already checked by the core: `checkPassword`), or null for none. */
  hash(password: string | undefined): Promise<string | null> {
    return password === undefined ? Promise.resolve(null) : this.hasher.hash(password, this.scrypt);
  }

  /** Whether `password` matches `stored`; false for an account without a password. */
  verify(stored: string | null, password: string): Promise<boolean> {
    return stored === null ? Promise.resolve(false) : this.hasher.verify(password, stored);
  }

  close(): void {
    this.hasher.close();
  }
}
