import type { StoreFailure } from './failures.js';

/**
 * Delivers failures to `onFailure`: at once, or soon (`deferred`) when they were learnt inside a
 * caller's code (a read that waited for the worker), which a handler must not re-enter; those
 * told before a handler is set wait for it.
 */
export class FailureOutbox {
  private current: ((failure: StoreFailure) => void) | null = null;
  private waiting: StoreFailure[] = [];

  get handler(): ((failure: StoreFailure) => void) | null {
    return this.current;
  }

  set handler(handler: ((failure: StoreFailure) => void) | null) {
    this.current = handler;
    if (handler && this.waiting.length > 0) queueMicrotask(() => this.deliver());
  }

  tell(failure: StoreFailure, deferred: boolean): void {
    this.waiting.push(failure);
    if (!this.current) return;
    if (deferred) queueMicrotask(() => this.deliver());
    else this.deliver();
  }

  private deliver(): void {
    const failures = this.waiting;
    this.waiting = [];
    for (const f of failures) this.current?.(f);
  }
}
