import type { Logger } from 'pino';
import type { Count, SharedCounts } from '../core/login-throttle.js';
import type { ClusterKeys } from './keys.js';
import type { Link } from './link.js';
import { within } from './within.js';

/** How long a login waits for Redis's counters before it goes on with this node's own. */
const READ_TIMEOUT_MS = 2000;

/**
 * Failed-login counters in Redis, so a password guesser spread over N nodes gets the tries of
 * one: a hash per counter (`failures`, `last`), its expiry pushed `windowMs` past each failure
 * (the same limits and window as one server's). Redis unreachable or frozen: the node's own
 * counters decide (still throttled, per node).
 */
export class RedisLoginCounts implements SharedCounts {
  constructor(
    private readonly link: Link,
    private readonly keys: ClusterKeys,
    private readonly log: Logger,
  ) {}

  read(keys: readonly string[], done: (counts: Array<Count | undefined> | null) => void): void {
    if (!this.link.up) return void queueMicrotask(() => done(null));
    const p = this.link.cmd.pipeline();
    for (const key of keys) p.hmget(this.keys.loginFailures + key, 'failures', 'last');
    within(p.exec(), READ_TIMEOUT_MS).then(
      (results) => {
        if (!results || results.some(([err]) => err)) return done(null);
        done(results.map(([, reply]) => count(reply as Array<string | null>)));
      },
      (err: Error) => {
        this.log.warn({ err: err.message }, 'cluster: cannot read login counters');
        done(null);
      },
    );
  }

  add(keys: readonly string[], now: number, windowMs: number): void {
    if (!this.link.up) return;
    const m = this.link.cmd.multi();
    for (const key of keys) {
      const k = this.keys.loginFailures + key;
      m.hincrby(k, 'failures', 1).hset(k, 'last', now).pexpire(k, windowMs);
    }
    m.exec().catch((err: Error) =>
      this.log.warn({ err: err.message }, 'cluster: cannot count a failed login'),
    );
  }

  remove(key: string): void {
    if (!this.link.up) return;
    this.link.cmd
      .del(this.keys.loginFailures + key)
      .catch((err: Error) => this.log.warn({ err: err.message }, 'cluster: cannot clear login counters'));
  }
}

function count(reply: Array<string | null>): Count | undefined {
  const failures = Number(reply[0]);
  const last = Number(reply[1]);
  if (reply[0] === null || !Number.isSafeInteger(failures) || failures <= 0) return undefined;
  return { failures, last: Number.isFinite(last) ? last : 0 };
}
