/**
 * Statistics for `papo bench`: a log-bucketed latency histogram (HdrHistogram-style, relative
 * error under 1.6%) and a delivery tracker that counts loss, reordering and duplicates.
 */

/** Values below this are kept exactly (µs). */
const EXACT_BELOW = 128;
/** Sub-buckets per power of two above EXACT_BELOW: 64, so a bucket is at most 1/64 wide. */
const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
/** Largest power of two tracked: 2^46 µs is over two years. */
const MAX_SHIFT = 40;
const BUCKETS = EXACT_BELOW + MAX_SHIFT * SUB;

function bucketOf(v: number): number {
  if (v < EXACT_BELOW) return v;
  // Math.clz32 sees 32 bits; values past 2^31 µs (35 minutes) take the slow path.
  const msb = v < 2 ** 31 ? 31 - Math.clz32(v) : Math.floor(Math.log2(v));
  const shift = msb - SUB_BITS;
  return Math.min(EXACT_BELOW + (shift - 1) * SUB + (Math.floor(v / 2 ** shift) - SUB), BUCKETS - 1);
}

/** The middle of a bucket's range. */
function bucketValue(i: number): number {
  if (i < EXACT_BELOW) return i;
  const k = i - EXACT_BELOW;
  const shift = Math.floor(k / SUB) + 1;
  const m = (k % SUB) + SUB;
  return (m * 2 ** shift + ((m + 1) * 2 ** shift - 1)) / 2;
}

/** A latency histogram in whole microseconds; percentiles are within 1.6% of the true value. */
export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  max = 0;
  private sum = 0;

  /** Records one value in µs (negative values count as 0, fractions are rounded). */
  record(us: number): void {
    const v = us > 0 ? Math.round(us) : 0;
    this.counts[bucketOf(v)]! += 1;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  /**
   * The value at percentile `p` (0–100): the smallest recorded bucket holding at least p% of
   * the values, never above the maximum. NaN when empty.
   */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    if (p >= 100) return this.max;
    const want = Math.max(1, Math.ceil((p / 100) * this.count - 1e-9));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= want) return Math.min(bucketValue(i), this.max);
    }
    return this.max;
  }

  /** Adds another histogram's values to this one. */
  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
  }

  /** Points of the percentile curve (p, µs) from p50 to p99.999 and the maximum, for charts. */
  curve(): Array<{ p: number; us: number }> {
    if (this.count === 0) return [];
    const ps = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999];
    const points = ps.map((p) => ({ p, us: this.percentile(p === 0 ? 0.0001 : p) }));
    points.push({ p: 100, us: this.max });
    return points;
  }
}

/** What one received message was, by its sender's sequence number. */
export type DeliveryKind = 'in_order' | 'reordered' | 'duplicate' | 'stale' | 'echo';

/**
 * Tracks, for every (receiver, sender) pair, the highest sequence number seen, and classifies
 * each message a receiver gets: a number above the highest is in order (a gap is loss, counted
 * at the end as expected minus received), below it is reordered, equal is a duplicate, and one
 * from before the current trial is stale.
 */
export class DeliveryTracker {
  private readonly last: Float64Array;
  private readonly base: Float64Array;
  received = 0;
  reordered = 0;
  duplicates = 0;
  stale = 0;
  echoes = 0;

  constructor(
    readonly receivers: number,
    readonly senders: number,
  ) {
    this.last = new Float64Array(receivers * senders);
    this.base = new Float64Array(senders);
  }

  /** Starts a trial: sender s's first message in it will carry `firstSeq[s]`; counters reset. */
  startTrial(firstSeq: ArrayLike<number>): void {
    for (let s = 0; s < this.senders; s++) this.base[s] = firstSeq[s] ?? 0;
    for (let r = 0; r < this.receivers; r++) {
      for (let s = 0; s < this.senders; s++) this.last[r * this.senders + s] = this.base[s]! - 1;
    }
    this.received = this.reordered = this.duplicates = this.stale = this.echoes = 0;
  }

  /** Classifies one delivery; `receiverIsSender` marks a message that came back to its author. */
  record(receiver: number, sender: number, seq: number, receiverIsSender = false): DeliveryKind {
    if (receiverIsSender) {
      this.echoes++;
      return 'echo';
    }
    if (seq < this.base[sender]!) {
      this.stale++;
      return 'stale';
    }
    const at = receiver * this.senders + sender;
    const last = this.last[at]!;
    if (seq === last) {
      this.duplicates++;
      return 'duplicate';
    }
    this.received++;
    if (seq < last) {
      this.reordered++;
      return 'reordered';
    }
    this.last[at] = seq;
    return 'in_order';
  }

  /** Messages expected but not received (never negative). */
  lost(expected: number): number {
    return Math.max(0, expected - this.received);
  }
}
