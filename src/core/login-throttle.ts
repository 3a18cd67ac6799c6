/**
 * How failed logins are throttled (docs/SERVER.md, "Accounts"). Counts are kept per name and
 * address together, per address alone, and per name alone; each is forgotten `windowMs` after
 * its last failure.
 */
export interface ThrottlePolicy {
  /** Failures of one (name, address) or one address before each further try waits. */
  freeFailures: number;
  /** The first wait; it doubles with each further failure, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures of one (name, address) after which it is refused until the window passes. */
  lockoutFailures: number;
  /** Failures from one address (any names) after which it is refused. */
  addressLockoutFailures: number;
  /** Failures of one name (any addresses) after which every try of it waits `nameDelayMs`: slowed, never refused, so its owner still gets in. */
  nameSlowFailures: number;
  nameDelayMs: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  freeFailures: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  lockoutFailures: 20,
  addressLockoutFailures: 50,
  nameSlowFailures: 10,
  nameDelayMs: 1000,
  windowMs: 15 * 60_000,
};

/** Past this many counters, expired ones are swept (memory stays bounded under attack). */
const SWEEP_AT = 10_000;

/** Failures under one key, and when the last one was. */
export interface Count {
  failures: number;
  last: number;
}

/**
 * Where a cluster keeps the failed-login counters, so a guesser gets the same number of tries
 * over every node as on one (docs/CLUSTER.md). Without it each server counts in its memory.
 */
export interface SharedCounts {
  /** The counters under `keys` now (undefined: none); null when the store cannot answer. */
  read(keys: readonly string[], done: (counts: Array<Count | undefined> | null) => void): void;
  /** Counts one failure under each of `keys` at `now`; each is forgotten `windowMs` after its last. */
  add(keys: readonly string[], now: number, windowMs: number): void;
  remove(key: string): void;
}

export type ThrottleVerdict =
  { kind: 'go' } | { kind: 'wait'; ms: number } | { kind: 'refused'; seconds: number };

/** Failed-login counters and what they mean for the next try. Pure: time is passed in. */
export class LoginThrottle {
  private readonly counts = new Map<string, Count>();

  constructor(readonly policy: ThrottlePolicy = DEFAULT_THROTTLE) {}

  /** The counters a try of `name` from `address` reads and counts under: pair, address, name. */
  keysFor(name: string, address: string): string[] {
    return [`p\u0000${name}\u0000${address}`, `a\u0000${address}`, `n\u0000${name}`];
  }

  /** Takes the shared store's counters for `keys` as the truth (a cluster's, read just now). */
  adopt(keys: readonly string[], counts: ReadonlyArray<Count | undefined>): void {
    keys.forEach((key, i) => {
      const c = counts[i];
      if (c) this.counts.set(key, { failures: c.failures, last: c.last });
      else this.counts.delete(key);
    });
  }

  /** What a login try of `name` (a name key) from `address` must do now. */
  verdict(name: string, address: string, now: number): ThrottleVerdict {
    const p = this.policy;
    const [pairKey, addrKey, nameKey] = this.keysFor(name, address) as [string, string, string];
    const pair = this.live(pairKey, now);
    const addr = this.live(addrKey, now);
    const byName = this.live(nameKey, now);
    const locked = (c: Count | undefined, limit: number) => c !== undefined && c.failures >= limit;
    if (locked(pair, p.lockoutFailures) || locked(addr, p.addressLockoutFailures)) {
      const last = Math.max(pair?.last ?? 0, addr?.last ?? 0);
      return { kind: 'refused', seconds: Math.max(1, Math.ceil((last + p.windowMs - now) / 1000)) };
    }
    let until = 0;
    for (const c of [pair, addr]) {
      if (c === undefined || c.failures < p.freeFailures) continue;
      const delay = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (c.failures - p.freeFailures));
      until = Math.max(until, c.last + delay);
    }
    const wait = until - now;
    const slow = byName !== undefined && byName.failures >= p.nameSlowFailures ? p.nameDelayMs : 0;
    const ms = Math.max(wait, slow);
    return ms > 0 ? { kind: 'wait', ms } : { kind: 'go' };
  }

  /** Counts a failed try. */
  fail(name: string, address: string, now: number): void {
    if (this.counts.size > SWEEP_AT) this.sweep(now);
    for (const key of this.keysFor(name, address)) {
      const c = this.live(key, now);
      if (c) {
        c.failures++;
        c.last = now;
      } else this.counts.set(key, { failures: 1, last: now });
    }
  }

  /** A good login forgets that (name, address)'s failures. */
  succeed(name: string, address: string): void {
    this.counts.delete(this.keysFor(name, address)[0] as string);
  }

  private live(key: string, now: number): Count | undefined {
    const c = this.counts.get(key);
    if (c && now - c.last >= this.policy.windowMs) {
      this.counts.delete(key);
      return undefined;
    }
    return c;
  }

  private sweep(now: number): void {
    for (const [key, c] of this.counts) if (now - c.last >= this.policy.windowMs) this.counts.delete(key);
  }
}
