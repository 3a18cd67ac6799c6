/** How long to wait between reconnect attempts. */
export interface BackoffOptions {
  /** First delay before jitter, in ms. */
  baseMs: number;
  /** Largest delay before jitter, in ms. */
  maxMs: number;
  /** A number in [0, 1); Math.random in production, fixed in tests. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000, random: Math.random };

/**
 * Delay before reconnect attempt `attempt` (1, 2, …): doubles from `baseMs` up to `maxMs`, then
 * keeps a random half to all of it ("equal jitter"), so clients cut off together by a server
 * restart do not all come back in the same instant.
 */
export function backoffDelay(attempt: number, o: BackoffOptions): number {
  const exp = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exp / 2 + (exp / 2) * o.random());
}
