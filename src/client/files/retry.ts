import { setTimeout as sleep } from 'node:timers/promises';
import { TransferError } from './http.js';

/** Tries in a row before a broken transfer is given up (each resumes where the last stopped). */
export const TRANSFER_ATTEMPTS = 6;

/**
 * Runs `step` until it says it is done: a retryable TransferError (a network cut, a 5xx) waits
 * 0.5 s, 1 s, 2 s … and goes again; anything else is thrown at once.
 */
export async function withRetries<T>(
  step: (attempt: number) => Promise<T>,
  attempts = TRANSFER_ATTEMPTS,
  baseMs = 500,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step(attempt);
    } catch (err) {
      const retry = err instanceof TransferError && err.retry && attempt + 1 < attempts;
      if (!retry) throw err;
      await sleep(Math.min(8000, baseMs * 2 ** attempt));
    }
  }
}
