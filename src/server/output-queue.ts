/** What the queue says after taking more output. */
export type QueueVerdict = 'ok' | 'slow';

/** How long unsent output may stay over the limit without draining at all before the reader is judged slow. */
export const SLOW_GRACE_MS = 10_000;
/** Unsent output, as a multiple of the limit, that is cut at once whatever the grace. */
export const HARD_LIMIT_FACTOR = 16;

/**
 * One connection's output: what was queued this turn (written once per turn, as one chunk) and
 * the judgement of a reader that stopped reading. A reader is judged by what it fails to read
 * over time, not by one turn's burst (PROTOCOL.md, "Limits"): it is slow when its unsent bytes
 * stay over the limit for `SLOW_GRACE_MS` without draining, or pass `HARD_LIMIT_FACTOR` times
 * the limit at once (which bounds memory).
 */
export class OutputQueue {
  /** This turn's output: its first chunk, and the rest once there is more than one. */
  private first: Uint8Array | null = null;
  private more: Uint8Array[] | null = null;
  private bytes = 0;
  /** The transport's unsent bytes at the last look: they only shrink until the next write. */
  private transportBacklog = 0;
  /** When the unsent output went over the limit without draining since (0: it is not). */
  private behindSince = 0;
  /** The transport's backlog when last judged behind: less at the next judgement means it drained. */
  private behindBytes = 0;

  constructor(
    private readonly limit: number,
    /** Where the queue's output goes: its unsent bytes count too. */
    private readonly transport: { readonly bufferedBytes: number },
    private readonly now: () => number,
  ) {}

  get queuedBytes(): number {
    return this.bytes;
  }

  /** Adds output for this turn; 'slow' when the reader is to be cut. */
  push(chunk: Uint8Array): QueueVerdict {
    if (this.first === null) this.first = chunk;
    else if (this.more === null) this.more = [this.first, chunk];
    else this.more.push(chunk);
    this.bytes += chunk.length;
    // Most pushes cost no call into the stream: the backlog seen last can only have shrunk.
    if (this.bytes + this.transportBacklog <= this.limit) return 'ok';
    return this.judge();
  }

  /** This turn's output as parts (null when there is none); the queue is empty after. */
  take(): { first: Uint8Array; more: Uint8Array[] | null; bytes: number } | null {
    const first = this.first;
    if (first === null) return null;
    const taken = { first, more: this.more, bytes: this.bytes };
    this.first = this.more = null;
    this.bytes = 0;
    return taken;
  }

  /** After a write: remembers the transport's backlog, and judges it. */
  written(): QueueVerdict {
    this.transportBacklog = this.transport.bufferedBytes;
    return this.transportBacklog > this.limit ? this.judge() : this.caughtUp();
  }

  /** Drops what is queued (the connection is being cut). */
  clear(): void {
    this.first = this.more = null;
    this.bytes = 0;
  }

  private judge(): QueueVerdict {
    this.transportBacklog = this.transport.bufferedBytes;
    const unsent = this.bytes + this.transportBacklog;
    if (unsent <= this.limit) return this.caughtUp();
    if (unsent > this.limit * HARD_LIMIT_FACTOR) return 'slow';
    const now = this.now();
    // Behind, but draining: what the reader took since the last look counts, so the clock starts
    // again. The backlog is remembered at every look, after a write too: bytes just written are
    // not a failure to drain, and a reader that takes less than it is sent still drains.
    const draining = this.transportBacklog < this.behindBytes;
    this.behindBytes = this.transportBacklog;
    if (this.behindSince === 0 || draining) {
      this.behindSince = now;
      return 'ok';
    }
    return now - this.behindSince > SLOW_GRACE_MS ? 'slow' : 'ok';
  }

  private caughtUp(): QueueVerdict {
    this.behindSince = 0;
    return 'ok';
  }
}
