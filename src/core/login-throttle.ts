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

interface Count {
  failures: number;
  last: number;
}

export type ThrottleVerdict =
  { kind: 'go' } | { kind: 'wait'; ms: number } | { kind: 'refused'; seconds: number };

/** Failed-login counters and what they mean for the next try. Pure: time is passed in. */
export class LoginThrottle {
  private readonly counts = new Map<string, Count>();

  constructor(readonly policy: ThrottlePolicy = DEFAULT_THROTTLE) {}

  /** What a login try of `name` (a name key) from `address` must do now. */
  verdict(name: string, address: string, now: number): ThrottleVerdict {
    const p = this.policy;
    const pair = this.live(`p\u0000${name}\u0000${address}`, now);
    const addr = this.live(`a\u0000${address}`, now);
    const byName = this.live(`n\u0000${name}`, now);
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
    for (const key of [`p\u0000${name}\u0000${address}`, `a\u0000${address}`, `n\u0000${name}`]) {
      const c = this.live(key, now);
      if (c) {
        c.failures++;
        c.last = now;
      } else this.counts.set(key, { failures: 1, last: now });
    }
  }

  /** A good login forgets that (name, address)'s failures. */
  succeed(name: string, address: string): void {
    this.counts.delete(`p\u0000${name}\u0000${address}`);
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
