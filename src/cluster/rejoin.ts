import type { Logger } from 'pino';
import type { Hub } from '../core/hub.js';
import type { RemoteUser } from '../core/remote.js';
import type { Session } from '../core/session.js';
import type { ClusterKeys } from './keys.js';
import type { Link } from './link.js';
import { parseMember } from './members.js';
import type { RedisBus } from './redis-bus.js';
import { DEFAULT_LOG_LENGTH } from './redis-bus.js';

/** One of this node's users as the REJOIN script takes it. */
interface Local {
  key: string;
  name: string;
  token: string;
  rooms: string[];
  keys: string[];
  address: string;
  account: string;
}

/** How long to wait for the events before the rejoin to be delivered here (bounded). */
const CATCH_UP_MS = 10_000;

/**
 * A node counted dead while it lived (cut off from Redis past the dead-node timeout) takes its
 * users back when it is in touch again: the others announced them gone and freed their names.
 * One script claims each name still free, announces its user with a join per room (new ids),
 * and leaves alone a name someone else took meanwhile: that user's session here ends (`bye`
 * `name_lost`), so one name never has two holders (docs/CLUSTER.md, "Failure behaviour").
 */
export class Rejoin {
  private running: Promise<void> | null = null;

  constructor(
    private readonly link: Link,
    private readonly keys: ClusterKeys,
    private readonly node: string,
    private readonly bus: RedisBus,
    private readonly log: Logger,
    /** Tells this node's users they are back (the notice). */
    private readonly told: () => void,
  ) {}

  /** Rejoins, if this node is marked as counted dead; one run at a time. */
  run(hub: Hub): Promise<void> {
    this.running ??= this.rejoin(hub)
      .catch((err: Error) => this.log.warn({ err: err.message }, 'cluster: rejoining failed; retrying'))
      .finally(() => (this.running = null));
    return this.running;
  }

  private async rejoin(hub: Hub): Promise<void> {
    const sessions = new Map<string, Session>();
    const users: Local[] = [];
    for (const s of hub.directory.all()) {
      if (s.name === null || s.key === null || s.closed || hub.remote?.isRemote(s)) continue;
      sessions.set(s.key, s);
      users.push({
        key: s.key,
        name: s.name,
        token: s.token ?? '',
        rooms: s.rooms.map((r) => r.name),
        keys: s.rooms.map((r) => r.key),
        address: s.address,
        account: s.account ?? '',
      });
    }
    const k = this.keys;
    const reply = (await this.link.run(
      'rejoin',
      [k.seq, k.log, k.members, k.claimsOf + this.node, k.reaped + this.node],
      [this.node, DEFAULT_LOG_LENGTH, k.channel, k.claim, JSON.stringify(users)],
    )) as [number, string?, string[]?];
    const [before, mark = '', flat = []] = reply;
    if (before < 0) return;
    const taken: RemoteUser[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const session = sessions.get(flat[i] as string);
      if (session && !session.closed) hub.detach(session, 'name_lost');
      const raw = flat[i + 1];
      if (raw) taken.push(parseMember(raw));
    }
    // Until now the sequencer refused this node's events: none of a user whose name was taken.
    await this.link.run('unmark', [k.reaped + this.node], [mark]);
    this.log.warn(
      { users: users.length - flat.length / 2, lost: flat.length / 2 },
      'cluster: this node was counted gone while cut off; its users rejoined',
    );
    this.told();
    // The new holders are this node's view once everything before the rejoin is applied here
    // (their join came while the name was still this node's user's, and was not taken in).
    await this.caughtUp(before).catch((err: Error) =>
      this.log.warn({ err: err.message }, 'cluster: the log is behind; listing the new holders anyway'),
    );
    hub.remote?.load(taken);
  }

  private async caughtUp(id: number): Promise<void> {
    const deadline = Date.now() + CATCH_UP_MS;
    for (;;) {
      const orderer = this.bus.orderer;
      if (!orderer || orderer.last >= id) return;
      if (Date.now() > deadline) throw new Error('the log did not catch up');
      await orderer.catchUp();
      if (orderer.last < id) await new Promise((r) => setTimeout(r, 50));
    }
  }
}
