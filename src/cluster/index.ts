import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Hub } from '../core/hub.js';
import type { ErrorDetail, NoticeCode } from '../core/events.js';
import type { RemoteUser } from '../core/remote.js';
import { RedisClaims } from './claims.js';
import { clusterKeys, type ClusterKeys } from './keys.js';
import { RedisFiles } from './files.js';
import { Link } from './link.js';
import { RedisLoginCounts } from './login-counts.js';
import { parseMember } from './members.js';
import {
  adoptClusterModeration,
  dropExpired,
  parseClusterModeration,
  writeClusterModeration,
  type ClusterModeration,
} from './moderation-sync.js';
import { DEFAULT_WATCH, NodeWatch, type WatchTimes } from './node-watch.js';
import { RedisAccounts, type RedisAccountsOptions } from './redis-accounts.js';
import { RedisBus } from './redis-bus.js';
import { Rejoin } from './rejoin.js';

/** What a node reads from Redis in one atomic step when it starts or comes back. */
interface Snapshot {
  seq: number;
  members: RemoteUser[];
  moderation: ClusterModeration;
  /** The epoch was set just now: Redis held no cluster. */
  fresh: boolean;
}

export interface ClusterOptions {
  url: string;
  password?: string;
  node: string;
  log: Logger;
  /** Key prefix (tests run several clusters on one Redis). */
  prefix?: string;
  times?: WatchTimes;
}

/**
 * This node's part of a cluster: its bus and name claims (handed to the hub), the heartbeat
 * and reaper, and the degraded/restored notices to its users (docs/CLUSTER.md).
 */
export class Cluster {
  readonly bus: RedisBus;
  readonly claims: RedisClaims;
  /** Where each node's files are: the server hands it to its file service. */
  readonly fileLocator: RedisFiles;
  /** Failed-login counters every node shares: the server hands them to its logins. */
  readonly loginCounts: RedisLoginCounts;
  readonly node: string;
  private readonly keys: ClusterKeys;
  private readonly watch: NodeWatch;
  private readonly rejoin: Rejoin;
  private hub: Hub | null = null;
  private epoch = '';
  /** The highest event id this node knows Redis gave out (its heartbeat reads the counter). */
  private seen = 0;
  /** The counter at the previous heartbeat. */
  private lastBeatSeq = 0;

  /** The highest event id this node knows Redis gave out, delivered here or not. */
  get lastSeenId(): number {
    return Math.max(this.seen, this.bus.orderer?.last ?? 0);
  }

  private constructor(
    private readonly link: Link,
    private readonly options: ClusterOptions,
  ) {
    this.node = options.node;
    this.keys = clusterKeys(options.prefix);
    this.bus = new RedisBus(link, this.keys, this.node, Date, options.log);
    this.claims = new RedisClaims(link, this.keys, this.node, options.log, this.bus.flush);
    this.fileLocator = new RedisFiles(link, this.keys, options.log);
    this.loginCounts = new RedisLoginCounts(link, this.keys, options.log);
    this.watch = new NodeWatch(link, this.keys, this.node, options.log, options.times ?? DEFAULT_WATCH);
    this.watch.onBeat = (seq) => {
      this.seen = Math.max(this.seen, seq);
      // A quiet gap is one that outlived a whole beat: events given out by the previous beat
      // and still not here. Those given out just now are mostly on their way over pub/sub, and
      // reading the log for them held every delivery back for a round trip each beat (#16).
      const orderer = this.bus.orderer;
      if (orderer && this.lastBeatSeq > orderer.last) {
        options.log.debug(
          { last: orderer.last, seq: this.lastBeatSeq },
          'cluster: quiet gap; reading the log',
        );
        void orderer.catchUp();
      }
      this.lastBeatSeq = seq;
    };
    this.rejoin = new Rejoin(link, this.keys, this.node, this.bus, options.log, () =>
      this.tell('CLUSTER_REJOINED'),
    );
    this.watch.onReaped = () => void this.rejoinIfCounted();
    // Users here missed those events: they are told at once (a client resuming later, at its join).
    this.bus.onLost = (from, to) => this.tell('EVENTS_LOST', { kind: 'lost', from, to });
    link.onDown = () => this.tell('CLUSTER_DEGRADED');
    link.onUp = () => void this.onLinkUp();
  }

  /** Connects to Redis (both connections up, scripts loaded), or throws. */
  static async connect(options: ClusterOptions): Promise<Cluster> {
    const link = new Link(options);
    try {
      await link.connect();
    } catch (err) {
      await link.stop();
      throw err;
    }
    return new Cluster(link, options);
  }

  /**
   * Joins the cluster with `hub` (built on this bus and claims): loads who is on the other
   * nodes, then delivers every event after that snapshot. `lastStored`: the newest event id
   * this node's history holds (the cluster's numbering goes on past it).
   */
  async start(hub: Hub, lastStored: number): Promise<void> {
    this.hub = hub;
    await this.bus.subscribe();
    await this.watch.start();
    const { seq, members, moderation, fresh } = await this.snapshot(lastStored);
    hub.remote?.load(members.filter((m) => m.node !== this.node));
    // A running cluster's bans and mutes are the truth; the first node of a new one brings its own.
    if (fresh) await this.writeModeration();
    else adoptClusterModeration(hub.moderation.state, moderation, Date.now());
    this.bus.start(seq);
  }

  /** The accounts every node shares (docs/CLUSTER.md, "Accounts"), on this node's Redis connection. */
  openAccounts(options: RedisAccountsOptions = {}): Promise<RedisAccounts> {
    return RedisAccounts.open(this.link.cmd, this.keys, options);
  }

  async stop(): Promise<void> {
    await this.watch.stop();
    await this.link.stop();
  }

  private async snapshot(last: number): Promise<Snapshot> {
    const k = this.keys;
    const keys = [k.seq, k.epoch, k.members, k.bans, k.mutes];
    const reply = (await this.link.run('snapshot', keys, [last, randomBytes(8).toString('hex')])) as [
      string,
      string,
      string[],
      string[],
      string[],
      number,
    ];
    const [epoch, seq, flat, bans, mutes, fresh] = reply;
    const moderation = parseClusterModeration(bans, mutes, Date.now());
    if (moderation.expiredBans.length + moderation.expiredMutes.length > 0) {
      const p = this.link.cmd.pipeline();
      dropExpired(p, k, moderation);
      await p.exec();
    }
    if (this.epoch !== '' && epoch !== this.epoch)
      this.options.log.warn({ epoch }, 'cluster: the log was lost');
    this.epoch = epoch;
    const members: Array<RemoteUser & { at: number }> = [];
    for (let i = 1; i < flat.length; i += 2) members.push(parseMember(flat[i] as string));
    // In the order they came, as the other nodes list them.
    members.sort((a, b) => a.at - b.at);
    return { seq: Number(seq), members, moderation, fresh: Number(fresh) === 1 };
  }

  /** Writes this node's bans and mutes into Redis (it is new, or came back empty). */
  private async writeModeration(): Promise<void> {
    if (!this.hub) return;
    const p = this.link.cmd.pipeline();
    writeClusterModeration(p, this.keys, this.hub.moderation.state, Date.now());
    await p.exec();
  }

  /** Back in touch: a lost log means registering this node's users again; then catch up. */
  private async onLinkUp(): Promise<void> {
    try {
      const before = this.epoch;
      // Numbering goes on past every id this node knows was given out: one Redis lost but this
      // node never got is then a gap its orderer reports (EVENTS_LOST), not an id used twice.
      await this.snapshot(Math.max(this.bus.orderer?.last ?? 0, this.seen));
      if (this.epoch !== before) await this.register();
      await this.bus.resume();
      this.tell('CLUSTER_RESTORED');
      // Cut off past the dead-node timeout: the others announced this node's users gone.
      await this.rejoinIfCounted();
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'cluster: catching up failed; retrying');
    }
  }

  /** Takes this node's users back if another node counted it dead (src/cluster/rejoin.ts). */
  private async rejoinIfCounted(): Promise<void> {
    if (this.hub) await this.rejoin.run(this.hub);
  }

  /** Writes this node's users' claims and rooms again (Redis came back empty). */
  private async register(): Promise<void> {
    const hub = this.hub;
    if (!hub) return;
    const k = this.keys;
    const p = this.link.cmd.pipeline();
    for (const s of hub.directory.all()) {
      if (s.name === null || s.key === null || s.closed || hub.remote?.isRemote(s)) continue;
      p.hset(k.claim + s.key, 'node', this.node, 'token', s.token ?? '');
      p.sadd(k.claimsOf + this.node, s.key);
      const rooms = s.rooms.map((r) => r.name);
      const member = { name: s.name, node: this.node, rooms, keys: s.rooms.map((r) => r.key) };
      const who = { address: s.address, ...(s.account !== null ? { account: s.account } : {}) };
      p.hset(k.members, s.key, JSON.stringify({ ...member, ...who }));
    }
    writeClusterModeration(p, k, hub.moderation.state, Date.now());
    await p.exec();
  }

  /** A notice to every user of this node. */
  private tell(code: NoticeCode, detail: ErrorDetail = { kind: 'none' }): void {
    const hub = this.hub;
    if (!hub) return;
    const notice = { type: 'notice', code, detail } as const;
    for (const s of hub.directory.all()) {
      if (s.name !== null && !s.closed && !hub.remote?.isRemote(s)) s.peer.send(notice);
    }
  }
}
