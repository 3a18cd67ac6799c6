import type { Logger } from 'pino';
import type { Bus, BusRefusal, BusSink, Draft, LostRange, Origin } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { BusEvent } from '../core/events.js';
import { nameKey, roomKey } from '../core/names.js';
import type { ClusterKeys } from './keys.js';
import type { Link } from './link.js';
import { Orderer, type Entry } from './orderer.js';

/** Events the log keeps (MAXLEN ~): how far back a node cut off for a while can catch up. */
export const DEFAULT_LOG_LENGTH = 100_000;
/** Lost ranges remembered for clients that resume past them (the oldest are forgotten first). */
const MAX_LOST_RANGES = 100;

interface Pending {
  draft: Draft;
  origin: Origin | undefined;
}

/**
 * The Bus port on Redis: drafts of one event-loop turn go to the sequencer script in one
 * pipeline; every node, this one included, gets each event back from the channel and hands it
 * to the hub in id order (gaps read from the stream). An event is acknowledged only once it
 * has come back, so only once Redis has it.
 */
export class RedisBus implements Bus {
  private sink: BusSink | null = null;
  private refused: BusRefusal | null = null;
  private batch: Pending[] = [];
  /** Leaves that could not be published (no one to tell): sent once Redis is back. */
  private retry: Pending[] = [];
  private scheduled = false;
  /** Channel messages seen before the snapshot said where to start. */
  private early: Entry[] | null = [];
  orderer: Orderer | null = null;
  /** Told when events are lost (the log no longer had them). */
  onLost: (from: number, to: number) => void = () => {};
  /** The ids this node will never get, oldest first (in memory: a restarted node forgets them). */
  private readonly lost: LostRange[] = [];

  constructor(
    private readonly link: Link,
    private readonly keys: ClusterKeys,
    private readonly node: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly maxLen = DEFAULT_LOG_LENGTH,
  ) {
    link.sub.on('message', (_channel: string, message: string) => this.onSubMessage(message));
  }

  get nextId(): number {
    return (this.orderer?.last ?? 0) + 1;
  }

  lostSince(since: number): LostRange[] {
    const out: LostRange[] = [];
    for (const r of this.lost) if (r.to > since) out.push({ from: Math.max(r.from, since + 1), to: r.to });
    return out;
  }

  connect(sink: BusSink, refused?: BusRefusal): void {
    this.sink = sink;
    this.refused = refused ?? null;
  }

  /** Subscribes (before the snapshot, so nothing after it is missed). */
  async subscribe(): Promise<void> {
    await this.link.sub.subscribe(this.keys.channel);
  }

  /** Starts delivering after `last`, the snapshot's id. */
  start(last: number): void {
    this.orderer = new Orderer(
      last,
      this.onOrdered,
      this.readRange,
      (from, to) => {
        this.log.error({ from, to }, 'cluster: events lost (no longer in the log)');
        this.lost.push({ from, to });
        if (this.lost.length > MAX_LOST_RANGES) this.lost.shift();
        this.onLost(from, to);
      },
      (err) => this.log.warn({ err: err.message }, 'cluster: cannot read the log; retrying later'),
    );
    const early = this.early ?? [];
    this.early = null;
    for (const e of early) this.orderer.push(e.id, e.payload);
  }

  publish(draft: Draft, origin?: Origin): void {
    (draft as unknown as { ts: number }).ts = this.clock.now();
    this.batch.push({ draft, origin });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** After a reconnection: reads what was missed, then sends the leaves held back. */
  async resume(): Promise<void> {
    await this.orderer?.catchUp();
    const held = this.retry;
    this.retry = [];
    for (const p of held) this.publish(p.draft, p.origin);
  }

  /**
   * Sends this turn's drafts now: a name claim calls it first, so a leave that frees a name is
   * applied before the name is claimed again (one connection keeps the order).
   */
  readonly flush = (): void => {
    this.scheduled = false;
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    if (!this.link.up) return this.refuse(batch);
    const pipeline = this.link.cmd.pipeline();
    for (const p of batch) this.link.queue(pipeline, 'publish', this.scriptKeys(), this.args(p));
    pipeline.exec().then(
      (results) => {
        const failed = batch.filter((_, i) => results?.[i]?.[0]);
        if (failed.length > 0) {
          this.log.warn({ err: results?.find((r) => r[0])?.[0]?.message }, 'cluster: publish refused');
          this.refuse(failed);
        }
      },
      () => this.refuse(batch),
    );
  };

  private refuse(batch: Pending[]): void {
    for (const p of batch) {
      if (p.draft.type === 'leave') this.retry.push(p);
      else this.refused?.(p.draft, p.origin);
    }
  }

  private scriptKeys(): string[] {
    const k = this.keys;
    return [k.seq, k.log, k.members, k.bans, k.mutes, k.reaped + this.node];
  }

  private args(p: Pending): Array<string | number> {
    const d = p.draft;
    const payload = JSON.stringify(p.origin ? { e: d, o: p.origin } : { e: d });
    const head = [payload, this.maxLen, this.keys.channel, d.type, this.node];
    const tail = [this.keys.claim, this.keys.claimsOf];
    // Where a user connected from and its account: other nodes ban and check operators by them.
    const who = [p.origin?.address ?? '', p.origin?.account ?? ''];
    switch (d.type) {
      case 'join':
      case 'part':
        return [...head, nameKey(d.name), d.name, d.room, roomKey(d.room), '', '', ...tail, ...who];
      case 'kick': {
        const room = d.room === undefined ? ['', ''] : [d.room, roomKey(d.room)];
        return [...head, nameKey(d.name), d.name, ...room, '', '', ...tail, '', ''];
      }
      case 'mute':
      case 'unmute':
      case 'leave':
        return [...head, nameKey(d.name), d.name, '', '', '', '', ...tail, '', ''];
      case 'nick':
        return [...head, nameKey(d.old), d.old, '', '', nameKey(d.new), d.new, ...tail, '', ''];
      default:
        return [...head, '', '', '', '', '', '', ...tail, '', ''];
    }
  }

  private onSubMessage(message: string): void {
    const space = message.indexOf(' ');
    const id = Number(message.slice(0, space));
    if (!Number.isSafeInteger(id) || id <= 0)
      return void this.log.warn('cluster: bad message on the channel');
    const payload = message.slice(space + 1);
    if (this.early) this.early.push({ id, payload });
    else this.orderer?.push(id, payload);
  }

  private readonly readRange = async (from: number, to: number): Promise<Entry[]> => {
    const end = to === Infinity ? '+' : `${to}-0`;
    const rows = await this.link.cmd.xrange(this.keys.log, `${from}-0`, end);
    return rows.map(([id, fields]) => ({ id: Number(id.split('-')[0]), payload: fields[1] ?? '' }));
  };

  private readonly onOrdered = (entry: Entry): void => {
    let parsed: { e: BusEvent; o?: Origin };
    try {
      parsed = JSON.parse(entry.payload) as { e: BusEvent; o?: Origin };
    } catch {
      return this.log.error({ id: entry.id }, 'cluster: undecodable event');
    }
    const event = parsed.e;
    event.id = entry.id;
    if (event.type === 'leave' && !Array.isArray(event.rooms)) event.rooms = [];
    try {
      this.sink?.(event, parsed.o);
    } catch (err) {
      this.log.error({ err: (err as Error).message, id: entry.id }, 'cluster: delivery failed');
    }
  };
}
