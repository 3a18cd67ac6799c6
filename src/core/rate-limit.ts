/** Flood-control settings: a token bucket weighed in lines, where long lines weigh more. */
export interface RateLimitOptions {
  /** Sustained allowance, in line-units per second (0 turns flood control off). */
  linesPerSecond: number;
  /** Burst allowance, in line-units: a paste of this many short lines passes at once. */
  burstLines: number;
  /** How far into debt (in seconds of allowance) a sender may run before being disconnected. */
  disconnectAfterSeconds: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  linesPerSecond: 10,
  burstLines: 40,
  disconnectAfterSeconds: 10,
};

/** Bytes that weigh one extra line-unit: a 1024-byte line costs 2 units, a short one about 1. */
const BYTES_PER_UNIT = 1024;

export type RateDecision =
  | { kind: 'ok' }
  /** Over the rate: hold this sender's input for `delayMs` before the next line. */
  | { kind: 'throttle'; delayMs: number }
  /** Far over the rate: disconnect. */
  | { kind: 'flood' };

/**
 * Token bucket per connection. A line is always accepted into the bucket (the caller delays
 * it, not drops it) until the debt passes `disconnectAfterSeconds` of allowance.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly options: RateLimitOptions,
    now: number,
  ) {
    this.tokens = options.burstLines;
    this.last = now;
  }

  /** Charges one line of `bytes` UTF-8 bytes at time `now` (ms). */
  take(bytes: number, now: number): RateDecision {
    const { linesPerSecond, burstLines, disconnectAfterSeconds } = this.options;
    if (linesPerSecond <= 0) return { kind: 'ok' };
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(burstLines, this.tokens + elapsed * linesPerSecond);
    this.tokens -= 1 + bytes / BYTES_PER_UNIT;
    if (this.tokens >= 0) return { kind: 'ok' };
    if (-this.tokens > disconnectAfterSeconds * linesPerSecond) return { kind: 'flood' };
    return { kind: 'throttle', delayMs: Math.ceil((-this.tokens / linesPerSecond) * 1000) };
  }
}
