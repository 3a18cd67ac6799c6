import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AccountRecord, Accounts, Done, Registration } from '../core/accounts.js';
import { CONFUSABLES_UNICODE_VERSION } from '../core/confusables-data.js';
import { skeleton } from '../core/skeleton.js';
import {
  keyProves,
  PasswordProofs,
  settle,
  storedPublicKey,
  toRecord,
  type StoredAccount,
} from '../store/account-proofs.js';
import type { HashPoolOptions } from '../store/hash-pool.js';
import { DEFAULT_SCRYPT, type PasswordHasher, type ScryptParams } from '../store/password-hash.js';
import {
  ACCOUNT_LOOK_ALIKE,
  ACCOUNT_REGISTER,
  ACCOUNT_RESKELETON,
  ACCOUNT_SET_PASSWORD,
  ACCOUNT_UNREGISTER,
} from './account-scripts.js';
import type { ClusterKeys } from './keys.js';
import { within } from './within.js';

/** How long a call waits for Redis before it answers with an Error (ACCOUNTS_UNAVAILABLE). */
export const ACCOUNTS_TIMEOUT_MS = 5000;

export interface RedisAccountsOptions {
  scrypt?: ScryptParams;
  hashing?: Partial<HashPoolOptions>;
  /** How long one call waits for Redis (default ACCOUNTS_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** What copying an account into the cluster did (`papo admin accounts import-to-cluster`). */
export type CopyResult = 'ok' | 'taken' | 'confusable';

const FIELDS = ['name', 'created', 'password_hash', 'public_key'] as const;

interface Script {
  source: string;
  sha: string;
}

const script = (source: string): Script => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
});
const REGISTER = script(ACCOUNT_REGISTER);
const LOOK_ALIKE = script(ACCOUNT_LOOK_ALIKE);
const SET_PASSWORD = script(ACCOUNT_SET_PASSWORD);
const UNREGISTER = script(ACCOUNT_UNREGISTER);
const RESKELETON = script(ACCOUNT_RESKELETON);

/**
 * The accounts port on Redis, shared by every node of a cluster (docs/CLUSTER.md, "Accounts"):
 * the same records as `SqliteAccounts` (the same scrypt hashes, made in the same hash pool off
 * the event loop), registration unique by name key and by look-alike in one Lua script. A call
 * Redis does not answer within the timeout — or refuses at once, while it is unreachable —
 * answers with an Error, which the hub turns into ACCOUNTS_UNAVAILABLE.
 */
export class RedisAccounts implements Accounts {
  private readonly proofs: PasswordProofs;
  private readonly timeoutMs: number;

  private constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    /** The cluster's id: key logins over plain TCP sign it, on whatever node. */
    readonly serverId: string,
    options: RedisAccountsOptions,
  ) {
    this.proofs = new PasswordProofs(options.scrypt ?? DEFAULT_SCRYPT, options.hashing ?? {});
    this.timeoutMs = options.timeoutMs ?? ACCOUNTS_TIMEOUT_MS;
  }

  /**
   * Opens the store on `redis` (a connection the caller owns): takes the cluster's server id
   * (the first node sets it) and, when the skeletons were computed with other confusables data
   * than this node's, computes them again.
   */
  static async open(
    redis: Redis,
    keys: ClusterKeys,
    options: RedisAccountsOptions = {},
  ): Promise<RedisAccounts> {
    const timeoutMs = options.timeoutMs ?? ACCOUNTS_TIMEOUT_MS;
    const id = randomBytes(12).toString('base64url');
    await within(redis.set(keys.serverId, id, 'NX'), timeoutMs);
    const serverId = (await within(redis.get(keys.serverId), timeoutMs)) ?? id;
    const accounts = new RedisAccounts(redis, keys, serverId, options);
    const version = await within(redis.get(keys.accountsConfusables), timeoutMs);
    if (version !== CONFUSABLES_UNICODE_VERSION) await accounts.reskeleton();
    return accounts;
  }

  /** Where passwords are hashed (its processes start on the first hash). */
  get hasher(): PasswordHasher {
    return this.proofs.hasher;
  }

  lookup(key: string, done: Done<AccountRecord | null>): void {
    settle(
      this.stored(key).then((a) => (a ? toRecord(a) : null)),
      done,
    );
  }

  lookAlike(sk: string, exceptKey: string | null, done: Done<string | null>): void {
    const k = this.keys;
    settle(
      this.run(LOOK_ALIKE, [k.accountLook + sk], [exceptKey ?? '', k.account]).then((name) =>
        typeof name === 'string' ? name : null,
      ),
      done,
    );
  }

  verifyPassword(key: string, password: string, done: Done<boolean>): void {
    settle(
      this.stored(key).then((a) => this.proofs.verify(a?.passwordHash ?? null, password)),
      done,
    );
  }

  verifyKey(
    key: string,
    publicKey: string,
    message: string,
    signature: string | null,
    done: Done<boolean>,
  ): void {
    settle(
      this.stored(key).then((a) => keyProves(a?.publicKey ?? null, publicKey, message, signature)),
      done,
    );
  }

  register(r: Registration, done: Done<'ok' | 'taken' | 'bad_key'>): void {
    const publicKey = storedPublicKey(r.publicKey);
    if (publicKey === 'bad_key') return done('bad_key');
    settle(
      this.proofs.hash(r.password).then(async (passwordHash) => {
        const stored = { key: r.key, name: r.name, created: r.created, passwordHash, publicKey };
        return (await this.copy(stored, r.skeleton)) === 'ok' ? 'ok' : 'taken';
      }),
      done,
    );
  }

  /**
   * Writes an account as it is stored elsewhere (its hash as is), unless its key or a
   * look-alike is registered: nothing is ever overwritten.
   */
  copy(a: StoredAccount, sk: string = skeleton(a.name)): Promise<CopyResult> {
    const k = this.keys;
    const keys = [k.account + a.key, k.accountLook + sk, k.accounts];
    const args = [a.key, a.name, sk, a.created, a.passwordHash ?? '', a.publicKey ?? ''];
    return this.run(REGISTER, keys, args) as Promise<CopyResult>;
  }

  setPassword(key: string, password: string, done: Done<boolean>): void {
    settle(
      this.proofs
        .hash(password)
        .then(async (hash) => (await this.run(SET_PASSWORD, [this.keys.account + key], [hash ?? ''])) === 1),
      done,
    );
  }

  unregister(key: string, done: Done<boolean>): void {
    const k = this.keys;
    settle(
      this.run(UNREGISTER, [k.account + key, k.accounts], [key, k.accountLook]).then((n) => n === 1),
      done,
    );
  }

  /** Every account, by name key (`papo admin accounts list`). */
  async list(): Promise<AccountRecord[]> {
    const keys = (await this.within(this.redis.smembers(this.keys.accounts))).sort();
    const found = await Promise.all(keys.map((key) => this.stored(key)));
    return found.filter((a): a is StoredAccount => a !== null).map(toRecord);
  }

  /** Stops the hashing processes (hashes under way fail); the Redis connection is the caller's. */
  close(): void {
    this.proofs.close();
  }

  private async stored(key: string): Promise<StoredAccount | null> {
    const [name, created, passwordHash, publicKey] = await this.within(
      this.redis.hmget(this.keys.account + key, ...FIELDS),
    );
    if (name === null || name === undefined) return null;
    return {
      key,
      name,
      created: Number(created),
      passwordHash: passwordHash ?? null,
      publicKey: publicKey ?? null,
    };
  }

  /** Computes every account's skeleton again (the confusables data changed), then records the version. */
  private async reskeleton(): Promise<void> {
    const k = this.keys;
    for (const key of await this.within(this.redis.smembers(k.accounts))) {
      const name = await this.within(this.redis.hget(k.account + key, 'name'));
      if (name !== null)
        await this.run(RESKELETON, [k.account + key, k.accounts], [k.accountLook, key, skeleton(name)]);
    }
    await this.within(this.redis.set(k.accountsConfusables, CONFUSABLES_UNICODE_VERSION));
  }

  /** Runs a script by its hash, sending its source once when Redis does not have it (a restarted Redis). */
  private async run(s: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await this.within(this.redis.evalsha(s.sha, keys.length, ...keys, ...args));
    } catch (err) {
      if (!(err as Error).message.startsWith('NOSCRIPT')) throw err;
      return this.within(this.redis.eval(s.source, keys.length, ...keys, ...args));
    }
  }

  private within<T>(p: Promise<T>): Promise<T> {
    return within(p, this.timeoutMs);
  }
}
