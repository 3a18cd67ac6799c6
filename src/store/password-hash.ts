import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HashPool, type HashPoolOptions } from './hash-pool.js';

/**
 * Password hashing: scrypt from node:crypto, at OWASP's minimum (N=2^17, r=8, p=1), a random
 * 16-byte salt and a 32-byte key, derived in low-priority child processes (`hash-pool.ts`).
 * The stored form carries its parameters, so they can be raised later without breaking old
 * hashes: `scrypt$N$r$p$salt$hash` (salt and hash in unpadded base64).
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Most memory one hash may use: 128·N·r bytes is 128 MiB at the defaults; twice that allows raising them a little. */
const MAX_MEM = 256 * 1024 * 1024;

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

/** Hashes and verifies passwords; `close` stops its child processes. */
export class PasswordHasher {
  private readonly pool: HashPool;

  constructor(options: Partial<HashPoolOptions> = {}) {
    this.pool = new HashPool(options);
  }

  private derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
    return this.pool.derive({
      password: password.normalize('NFC'),
      salt: salt.toString('base64'),
      keyBytes: KEY_BYTES,
      N: params.N,
      r: params.r,
      p: params.p,
      maxmem: MAX_MEM,
    });
  }

  /** Hashes a password (NFC-normalised first) with a fresh salt. */
  async hash(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await this.derive(password, salt, params);
    return `scrypt$${params.N}$${params.r}$${params.p}$${b64(salt)}$${b64(key)}`;
  }

  /**
   * Whether `password` matches a stored hash; compared in constant time. False for a malformed
   * hash; rejects when hashing failed (its process died or overran).
   */
  async verify(password: string, stored: string): Promise<boolean> {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
    if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return false;
    const salt = Buffer.from(parts[4] as string, 'base64');
    const expected = Buffer.from(parts[5] as string, 'base64');
    const key = await this.derive(password, salt, { N, r, p });
    return key.length === expected.length && timingSafeEqual(key, expected);
  }

  /** The hashing processes' ids (tests). */
  pids(): number[] {
    return this.pool.pids();
  }

  /** How many hashes are under way (tests). */
  inFlight(): number {
    return this.pool.inFlight();
  }

  /** Stops the hashing processes; hashes not yet answered fail. */
  close(): void {
    this.pool.close();
  }
}
