import { RateLimiter } from '../core/rate-limit.js';
import type { DecodedLine } from '../protocol/line-decoder.js';

/** Most bytes a dropped over-long line is charged to flood control. */
const MAX_CHARGED_DROPPED_BYTES = 64 * 1024;

/** A decoded line waiting its turn; `notBefore` (ms) holds it back while the sender is throttled. */
interface Pending {
  line: DecodedLine;
  notBefore: number;
}

/** What the pacer says of a line that arrived: handle it now, it waits its turn, or the sender floods. */
export type Arrival = 'now' | 'queued' | 'flood';

/** What the pacer says of the next waiting line: take it, wait, or nothing is waiting. */
export type NextLine = { kind: 'line'; line: DecodedLine } | { kind: 'wait'; ms: number } | { kind: 'none' };

/**
 * Flood control on one connection's input: each line is charged as it arrives, so a sender far
 * over its rate runs into debt and is cut off, while one a little over it is merely slowed down
 * (PROTOCOL.md, "Limits"); lines then come out in order, each when its time has come. A line
 * within the allowance with nothing waiting before it is handled at once, with no queue at all
 * (an idle connection holds no backlog array).
 */
export class InputPacer extends RateLimiter {
  private backlog: Pending[] | null = null;

  get waiting(): number {
    return this.backlog?.length ?? 0;
  }

  /** Charges a line; 'now' when it may be handled at once, 'queued' when it waits its turn. */
  add(line: DecodedLine, now: number): Arrival {
    // A dropped over-long line is charged as at most 64 KiB: it is refused with an error.
    const charged = line.kind === 'too_long' ? Math.min(line.bytes, MAX_CHARGED_DROPPED_BYTES) : line.bytes;
    const decision = this.take(charged, now);
    if (decision.kind === 'flood') return 'flood';
    const notBefore = decision.kind === 'throttle' ? now + decision.delayMs : 0;
    if (notBefore === 0 && this.waiting === 0) return 'now';
    (this.backlog ??= []).push({ line, notBefore });
    return 'queued';
  }

  /** The next waiting line if its time has come. */
  next(now: number): NextLine {
    const head = this.backlog?.[0];
    if (head === undefined) return { kind: 'none' };
    const wait = head.notBefore - now;
    if (wait > 0) return { kind: 'wait', ms: wait };
    (this.backlog as Pending[]).shift();
    return { kind: 'line', line: head.line };
  }

  clear(): void {
    this.backlog = null;
  }
}
