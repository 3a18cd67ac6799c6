import type { Clock } from './clock.js';
import type { BusEvent, Ref } from './events.js';

type Unnumbered<E> = E extends BusEvent ? Omit<E, 'id' | 'ts'> : never;

/** An event as the hub hands it to the bus: the bus gives it its `id` and `ts` (a fresh object, which the bus may make the event itself). */
export type Draft = Unnumbered<BusEvent>;

/**
 * Who asked for an event: the node and session that answer it when it comes back (the ack, the
 * room snapshot). Plain data, so a bus between processes can carry it.
 */
export interface Origin {
  node: string;
  session: number;
  ref?: Ref;
  /** For a room join: the replay holds only messages after this id. */
  since?: number;
  /**
   * For a user's arrival (a join with `connected`): its address and account, so other nodes'
   * bans cover it and they know a server operator (carried between nodes, never to clients).
   */
  address?: string;
  account?: string | null;
  /**
   * For a leave the cluster sequenced because a client took its name over on another node with
   * its session token: the node that held the name (`node` is then '': no node's session caused
   * it). That node ends its own session quietly — told `replaced`, and no leave of its own, since
   * the name is already someone else's (docs/CLUSTER.md, "Names").
   */
  replaced?: string;
}

/** Where the bus hands every event, in the bus's one order, this node's and other nodes' alike. */
export type BusSink = (event: BusEvent, origin: Origin | undefined) => void;

/** Where a bus that could not take a draft says so (a cluster bus while its store is down). */
export type BusRefusal = (draft: Draft, origin: Origin | undefined) => void;

/**
 * The bus port: every event that leaves a user (public or private) passes through it on its way
 * to delivery and storage. The hub publishes, and delivers only what comes back through its
 * sink, so one server and a cluster take the same path (docs/ARCHITECTURE.md, "Ports").
 */
export interface Bus {
  /** Numbers `draft` and hands it to every node's sink, in one order for all (at once, or later). */
  publish(draft: Draft, origin?: Origin): void;
  /** Sets the hub's delivery, and where drafts the bus refused are reported (never, locally). */
  connect(sink: BusSink, refused?: BusRefusal): void;
  /** The id the next event will get (history keeps it, so ids are never reused after a restart). */
  readonly nextId: number;
  /**
   * The ranges of ids this node never got and never will (a cluster's store lost them) past
   * `since`: a client resuming from there is told (EVENTS_LOST). None on a single server.
   */
  lostSince?(since: number): LostRange[];
}

/** Event ids `from`..`to` (inclusive) that are gone. */
export interface LostRange {
  from: number;
  to: number;
}

/** The bus of a single server: numbers each event and delivers it at once, in the same turn. */
export class LocalBus implements Bus {
  private sink: BusSink | null = null;
  private next: number;

  constructor(
    private readonly clock: Clock,
    firstId = 1,
  ) {
    this.next = firstId;
  }

  get nextId(): number {
    return this.next;
  }

  connect(sink: BusSink): void {
    this.sink = sink;
  }

  publish(draft: Draft, origin?: Origin): void {
    // The draft becomes the event: two properties added in place keep it a fast object (a
    // spread into a new one cost ~5 µs a message and slowed every read of it downstream).
    const event = draft as BusEvent;
    event.id = this.next++;
    event.ts = this.clock.now();
    this.sink?.(event, origin);
  }
}
