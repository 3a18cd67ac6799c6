import type { Logger } from 'pino';
import type { ClaimResult, NameClaims } from '../core/claims.js';
import type { ClusterKeys } from './keys.js';
import type { Link } from './link.js';
import { DEFAULT_LOG_LENGTH } from './redis-bus.js';

/**
 * Names claimed in Redis (a hash per name: node, token), so two users racing for one name on
 * two nodes get exactly one winner. The token goes with the claim: a client whose node died
 * takes its name back on another node with it.
 */
export class RedisClaims implements NameClaims {
  constructor(
    private readonly link: Link,
    private readonly keys: ClusterKeys,
    private readonly node: string,
    private readonly log: Logger,
    /** Sends drafts already queued before a claim (a leave freeing this very name). */
    private readonly before: () => void = () => {},
  ) {}

  claim(
    _name: string,
    key: string,
    token: string,
    presented: string | undefined,
    done: (result: ClaimResult) => void,
  ): void {
    if (!this.link.up) return void queueMicrotask(() => done('down'));
    this.before();
    const k = this.keys;
    this.link
      .run(
        'claim',
        [k.claim + key, k.claimsOf + this.node, k.seq, k.log, k.members, k.reaped + this.node],
        [this.node, token, presented ?? '', key, DEFAULT_LOG_LENGTH, k.channel, k.claimsOf],
      )
      .then(
        // 'down': this node was counted dead and is still rejoining (docs/CLUSTER.md).
        (reply) => done(reply === 'ok' ? 'ok' : reply === 'down' ? 'down' : 'taken'),
        (err: Error) => {
          this.log.warn({ err: err.message }, 'cluster: name claim failed');
          done('down');
        },
      );
  }

  retoken(key: string, token: string): void {
    // Sent before anything the resumed session does next (one connection keeps the order).
    this.link
      .run('retoken', [this.keys.claim + key], [this.node, token])
      .catch((err: Error) =>
        this.log.warn({ err: err.message }, 'cluster: a resumed name kept its old token'),
      );
  }

  release(key: string): void {
    const k = this.keys;
    this.link
      .run('release', [k.claim + key, k.claimsOf + this.node], [this.node, key])
      .catch((err: Error) => this.log.warn({ err: err.message }, 'cluster: name release failed'));
  }
}
