import type { Logger } from 'pino';
import type { FileLocator } from '../server/files/locator.js';
import type { ClusterKeys } from './keys.js';
import type { Link } from './link.js';

/**
 * Which node holds each file, in Redis (`papo:file:<download token>` -> its download URL,
 * expiring with the file): a node asked for a file it does not hold redirects there.
 */
export class RedisFiles implements FileLocator {
  constructor(
    private readonly link: Link,
    private readonly keys: ClusterKeys,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  announce(token: string, url: string, expires: number): void {
    const key = this.keys.file + token;
    const ttl = expires > 0 ? expires - this.now() : 0;
    if (expires > 0 && ttl <= 0) return;
    const done = ttl > 0 ? this.link.cmd.set(key, url, 'PX', ttl) : this.link.cmd.set(key, url);
    done.catch((err: Error) =>
      this.log.warn({ err: err.message }, 'cluster: a file is not findable from other nodes'),
    );
  }

  async locate(token: string): Promise<string | null> {
    if (!this.link.up) return null;
    try {
      return await this.link.cmd.get(this.keys.file + token);
    } catch {
      return null;
    }
  }
}
