/** Reconnection delays: 0.5 s doubling to 15 s, with jitter so restarted servers are not stampeded. */
export const BACKOFF_FIRST_MS = 500;
export const BACKOFF_MAX_MS = 15_000;

export class Backoff {
  private attempt = 0;

  constructor(private readonly random: () => number = Math.random) {}

  /** The delay before the next attempt, in ms. */
  next(): number {
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
    this.attempt++;
    return Math.round(base * (0.5 + this.random() * 0.5));
  }

  reset(): void {
    this.attempt = 0;
  }
}
