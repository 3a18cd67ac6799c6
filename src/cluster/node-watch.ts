import type { Logger } from 'pino';
import type { ClusterKeys } from './keys.js';
import type { Link } from './link.js';
import { DEFAULT_LOG_LENGTH } from './redis-bus.js';

export interface WatchTimes {
  /** How often this node says it is alive and looks for dead ones (default 3 s). */
  heartbeatMs: number;
  /** How long a node counts as alive after its last heartbeat (default 10 s). */
  aliveMs: number;
}

export const DEFAULT_WATCH: WatchTimes = { heartbeatMs: 3000, aliveMs: 10_000 };

/**
 * This node's heartbeat, and the search for dead nodes: a node whose heartbeat key expired
 * (killed, cut off) is reaped by whichever live node wins its lock: its users are announced
 * gone (one `leave` each, through the sequencer) and their names freed.
 */
export class NodeWatch {
  private timer: NodeJS.Timeout | null = null;
  /** Called on each beat that reached Redis with the log's newest id. */
  onBeat: (seq: number) => void = () => {};
  /** Called on a beat that found this node counted dead by another (it was cut off): rejoin. */
  onReaped: () => void = () => {};

  constructor(
    private readonly link: Link,
    private readonly keys: ClusterKeys,
    private readonly node: string,
    private readonly log: Logger,
    private readonly times: WatchTimes = DEFAULT_WATCH,
  ) {}

  async start(): Promise<void> {
    // A node restarted under the same name: its earlier users are gone.
    await this.reap(this.node);
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.times.heartbeatMs);
    this.timer.unref();
  }

  /** Stops beating; this node's users are announced gone (`shutdown`) and its names freed. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.link.up) return;
    await this.reap(this.node, 'shutdown').catch(() => undefined);
    await this.link.cmd.del(this.keys.alive + this.node).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    if (!this.link.up) return;
    const k = this.keys;
    try {
      // The mark is read after the heartbeat is set: a reaper either ran before (the mark is
      // there) or finds this node alive and does nothing (REAP checks in the same step).
      const [, , nodes, seq, reaped] = (await this.link.cmd
        .pipeline()
        .set(k.alive + this.node, '1', 'PX', this.times.aliveMs)
        .sadd(k.nodes, this.node)
        .smembers(k.nodes)
        .get(k.seq)
        .exists(k.reaped + this.node)
        .exec()) as Array<[Error | null, unknown]>;
      this.onBeat(Number(seq?.[1] ?? 0));
      if (reaped?.[1] === 1) this.onReaped();
      for (const other of (nodes?.[1] as string[]) ?? []) {
        if (other === this.node) continue;
        if ((await this.link.cmd.exists(k.alive + other)) === 1) continue;
        const lock = await this.link.cmd.set(
          k.reaping + other,
          this.node,
          'PX',
          this.times.aliveMs * 2,
          'NX',
        );
        if (lock === 'OK') await this.reap(other);
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cluster: heartbeat failed');
    }
  }

  private async reap(dead: string, reason = 'timeout'): Promise<void> {
    const k = this.keys;
    const other = dead === this.node ? '0' : '1';
    const n = await this.link.run(
      'reap',
      [k.seq, k.log, k.members, k.nodes, k.claimsOf + dead, k.alive + dead, k.reaped + dead],
      [dead, DEFAULT_LOG_LENGTH, k.channel, k.claim, reason, other],
    );
    if (Number(n) < 0) return; // it beat again meanwhile: alive after all
    if (Number(n) > 0 || dead !== this.node)
      this.log.warn({ node: dead, users: n }, 'cluster: node gone; its users left');
  }
}
