import { nameKey } from './names.js';
import { Session, type Peer } from './session.js';
import { skeleton } from './skeleton.js';

/**
 * Who is here: every session by its id, and joined users by name key (names are unique in any
 * letter case). Accounts will live here too.
 */
export class Directory {
  private readonly sessions = new Map<number, Session>();
  /** Joined sessions in join order, by name key. */
  private readonly users = new Map<string, Session>();
  /** Joined sessions by their name's confusable skeleton: look-alikes are found in O(1). */
  private readonly skeletons = new Map<string, Session>();
  private nextSessionId = 1;

  /** Number of joined users. */
  get userCount(): number {
    return this.users.size;
  }

  /** Registers a new connection's session. */
  attach(peer: Peer): Session {
    const session = new Session(this.nextSessionId++, peer);
    this.sessions.set(session.id, session);
    return session;
  }

  session(id: number): Session | undefined {
    return this.sessions.get(id);
  }

  /** The joined session holding `name` (any letter case), if any. */
  find(name: string): Session | undefined {
    return this.users.get(nameKey(name));
  }

  /** Gives `session` the (already checked) `name`. */
  claim(session: Session, name: string): void {
    const key = nameKey(name);
    session.name = name;
    session.key = key;
    this.users.set(key, session);
    this.skeletons.set(skeleton(name), session);
  }

  /** The online user, other than `self`, whose name looks like `name` (same skeleton, another name). */
  lookAlike(name: string, self?: Session): Session | undefined {
    const holder = this.skeletons.get(skeleton(name));
    return holder !== self && holder?.key !== nameKey(name) ? holder : undefined;
  }

  /** Moves a user to a new name, keeping its place in join order (rare: rebuilds the map). */
  rename(session: Session, name: string): void {
    const oldKey = session.key as string;
    const newKey = nameKey(name);
    this.forgetSkeleton(session);
    this.skeletons.set(skeleton(name), session);
    session.name = name;
    session.key = newKey;
    if (oldKey === newKey) return;
    const entries = Array.from(this.users, ([k, v]): [string, Session] => [k === oldKey ? newKey : k, v]);
    this.users.clear();
    for (const [k, v] of entries) this.users.set(k, v);
  }

  /** Takes back a name given to a session that never joined (its join was refused). */
  release(session: Session): void {
    if (session.key !== null && this.users.get(session.key) === session) this.users.delete(session.key);
    session.name = null;
    session.key = null;
    session.token = null;
  }

  /** Forgets a session; its name is free again if it held one. */
  remove(session: Session): void {
    this.sessions.delete(session.id);
    if (session.key !== null && this.users.get(session.key) === session) {
      this.users.delete(session.key);
      this.forgetSkeleton(session);
    }
  }

  private forgetSkeleton(session: Session): void {
    if (session.name === null) return;
    const sk = skeleton(session.name);
    if (this.skeletons.get(sk) === session) this.skeletons.delete(sk);
  }

  /** Every session, joined or not (shutdown). */
  all(): IterableIterator<Session> {
    return this.sessions.values();
  }

  clear(): void {
    this.sessions.clear();
    this.users.clear();
    this.skeletons.clear();
  }
}
