import { RateLimiter, type RateLimitOptions } from '../core/rate-limit.js';
import type { DecodedLine } from '../protocol/line-decoder.js';

/** Most bytes a dropped over-long line is charged to flood control. */
const MAX_CHARGED_DROPPED_BYTES = 64 * 1024;

/** A decoded line waiting its turn; `notBefore` (ms) holds it back while the sender is throttled. */
interface Pending {
  line: DecodedLine;
  notBefore: number;
}

/** What the pacer says of the next line: take it, wait, or nothing is waiting. */
export type NextLine = { kind: 'line'; line: DecodedLine } | { kind: 'wait'; ms: number } | { kind: 'none' };

/**
 * Flood control on one connection's input: each line is charged as it arrives, so a sender far
 * over its rate runs into debt and is cut off, while one a little over it is merely slowed down
 * (PROTOCOL.md, "Limits"); lines then come out in order, each when its time has come.
 */
export class InputPacer {
  private readonly limiter: RateLimiter;
  private readonly backlog: Pending[] = [];

  constructor(limits: RateLimitOptions, now: number) {
    this.limiter = new RateLimiter(limits, now);
  }

  get waiting(): number {
    return this.backlog.length;
  }

  /** Charges a line and queues it; false when the sender is flooding (nothing is queued). */
  add(line: DecodedLine, now: number): boolean {
    // A dropped over-long line is charged as at most 64 KiB: it is refused with an error.
    const charged = line.kind === 'too_long' ? Math.min(line.bytes, MAX_CHARGED_DROPPED_BYTES) : line.bytes;
    const decision = this.limiter.take(charged, now);
    if (decision.kind === 'flood') return false;
    this.backlog.push({ line, notBefore: decision.kind === 'throttle' ? now + decision.delayMs : 0 });
    return true;
  }

  /** The next line if its time has come. */
  next(now: number): NextLine {
    const head = this.backlog[0];
    if (head === undefined) return { kind: 'none' };
    const wait = head.notBefore - now;
    if (wait > 0) return { kind: 'wait', ms: wait };
    this.backlog.shift();
    return { kind: 'line', line: head.line };
  }

  clear(): void {
    this.backlog.length = 0;
  }
}
