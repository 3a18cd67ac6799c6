import type { NameClaims } from './claims.js';
import type { Clock } from './clock.js';
import type { Delivery, Publish } from './delivery.js';
import type { Directory } from './directory.js';
import type { ClientAction, LeaveReason, Ref } from './events.js';
import type { Fanout } from './fanout.js';
import type { Logins } from './logins.js';
import type { ModerationDesk } from './moderation/index.js';
import { checkName, nameKey } from './names.js';
import type { RefMemory } from './ref-memory.js';
import type { RemoteMembers } from './remote.js';
import { fail, listing } from './replies.js';
import type { Rooms } from './room.js';
import type { Session } from './session.js';

type JoinAction = Extract<ClientAction, { type: 'join' }>;

/** What admission works with: the hub's parts it reads and changes. */
export interface AdmissionParts {
  clock: Clock;
  newToken(): string;
  directory: Directory;
  rooms: Rooms;
  defaultRoom: string;
  fanout: Fanout;
  refs: RefMemory;
  logins: Logins;
  moderation: ModerationDesk;
  /** Where names are claimed beyond this node (a cluster); none: the Directory alone decides, at once. */
  claims: NameClaims | undefined;
  remote: RemoteMembers | null;
  delivery: Delivery;
  publish: Publish;
  detach(session: Session, reason: LeaveReason): void;
}

/**
 * Who holds which name: a join (a new name, a login, a session taken back with its token) and a
 * rename, on one node or claimed across a cluster first.
 */
export class Admission {
  /** Name claims under way on this node: the session, by name key (one claim per name at a time). */
  private readonly claiming = new Map<string, Session>();

  constructor(private readonly p: AdmissionParts) {}

  join(session: Session, action: JoinAction): void {
    const { token, since, ref } = action;
    if (session.name !== null || this.isClaiming(session))
      return fail(session, 'ALREADY_JOINED', { kind: 'none' }, ref);
    const check = checkName(action.name);
    if (!check.ok) return fail(session, 'NAME_INVALID', { kind: 'name', problem: check.problem }, ref);
    if (!this.p.moderation.allowName(session, nameKey(check.name), ref, true)) return;
    const holder = this.p.directory.find(check.name);
    if (holder && this.p.remote?.isRemote(holder)) {
      // Held on another node: only the holder's session token takes it over (its node died).
      if (token === undefined)
        return fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: holder.name as string }, ref);
      return this.claimJoin(session, check.name, action, null);
    }
    if (holder) {
      // Only the holder's own session token takes a name back from a dead ("ghost") connection.
      if (token === undefined || holder.token === null || token !== holder.token) {
        return fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: holder.name as string }, ref);
      }
      // The name stays as the others know it, whatever letter case the reconnecting client used.
      return this.resume(session, holder, holder.name as string, since);
    }
    this.p.logins.join(session, check.name, action, (account) =>
      this.admit(session, check.name, account, action),
    );
  }

  nick(session: Session, requested: string, ref: Ref | undefined): void {
    const check = checkName(requested);
    if (!check.ok) return fail(session, 'NAME_INVALID', { kind: 'name', problem: check.problem }, ref);
    if (!this.p.moderation.mayRename(session, ref)) return;
    if (!this.p.moderation.allowName(session, nameKey(check.name), ref, false)) return;
    const holder = this.p.directory.find(check.name);
    if (holder && holder !== session) {
      return fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: holder.name as string }, ref);
    }
    const old = session.name as string;
    if (old === check.name) return fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: old }, ref);
    this.p.logins.checkNick(session, check.name, ref, () => this.rename(session, check.name, ref));
  }

  /** True while the session's name is being claimed across the cluster. */
  isClaiming(session: Session): boolean {
    for (const s of this.claiming.values()) if (s === session) return true;
    return false;
  }

  /** Joins a session under a name it may use (proven if registered: `account`). */
  private admit(session: Session, name: string, account: string | null, action: JoinAction): void {
    if (session.closed || session.name !== null) return;
    // The login may have taken a while (a password hashes off the event loop): the name may be gone.
    if (this.p.claims) return this.claimJoin(session, name, action, account);
    const holder = this.p.directory.find(name);
    if (holder)
      return fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: holder.name as string }, action.ref);
    this.p.directory.claim(session, name);
    session.account = account;
    session.lastActive = this.p.clock.now();
    session.token = this.p.newToken();
    this.p.refs.carry(action.token, session.token);
    const draft = { type: 'join', room: this.p.defaultRoom, name, connected: true } as const;
    this.p.publish(draft, session, action.ref, action.since);
  }

  /** A cluster's join: the name is claimed cluster-wide first, then joined as on one node. */
  private claimJoin(session: Session, name: string, action: JoinAction, account: string | null): void {
    const claims = this.p.claims as NameClaims;
    const key = nameKey(name);
    if (this.claiming.has(key)) return this.refuseClaim(session, name, 'taken', action.ref);
    const token = this.p.newToken();
    this.claiming.set(key, session);
    claims.claim(name, key, token, action.token, (result) => {
      this.claiming.delete(key);
      if (session.closed) return result === 'ok' ? claims.release(key) : undefined;
      if (result !== 'ok') return this.refuseClaim(session, name, result, action.ref);
      // A remote holder whose token this client presented: its node died; this session takes over.
      const ghost = this.p.directory.find(name);
      if (ghost) this.p.remote?.drop(ghost);
      this.p.directory.claim(session, name);
      session.account = account;
      session.lastActive = this.p.clock.now();
      session.token = token;
      const draft = { type: 'join', room: this.p.defaultRoom, name, connected: true } as const;
      this.p.publish(draft, session, action.ref, action.since);
    });
  }

  private refuseClaim(session: Session, name: string, result: 'taken' | 'down', ref: Ref | undefined): void {
    if (result === 'down') return fail(session, 'CLUSTER_DOWN', { kind: 'none' }, ref);
    const holder = this.p.directory.find(name)?.name ?? name;
    fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: holder }, ref);
  }

  /** The session takes over a dead connection's name and rooms, without notices to others. */
  private resume(session: Session, holder: Session, name: string, since: number | undefined): void {
    const { fanout, delivery } = this.p;
    const rooms = holder.rooms;
    const current = holder.current;
    // The dead connection leaves its rooms' member lists: the new one takes its place there.
    fanout.moving(holder);
    for (const room of rooms) room.members.delete(holder);
    holder.rooms = [];
    this.p.moderation.state.moveSession(holder.id, session.id);
    this.p.detach(holder, 'replaced');
    this.p.directory.claim(session, name);
    session.account = holder.account;
    session.lastActive = this.p.clock.now();
    session.token = this.p.newToken();
    fanout.moving(session);
    this.p.refs.carry(holder.token, session.token);
    if (session.key !== null) this.p.claims?.retoken?.(session.key, session.token);
    session.rooms = rooms;
    session.current = current;
    for (const room of rooms) room.members.add(session);
    const here = current ?? this.p.rooms.open(this.p.defaultRoom).room;
    if (!current) delivery.enter(session, here);
    session.peer.send({ type: 'welcome', name, token: session.token, ...listing(here), resumed: true });
    delivery.tellLost(session, since);
    delivery.replay(session, here, since);
    for (const room of session.rooms) {
      if (room === here) continue;
      session.peer.send({ type: 'room', topic: room.topic, ...listing(room) });
      delivery.replay(session, room, since);
    }
  }

  private rename(session: Session, name: string, ref: Ref | undefined): void {
    const holder = this.p.directory.find(name);
    if (holder && holder !== session)
      return fail(session, 'NAME_TAKEN', { kind: 'name_taken', name: holder.name as string }, ref);
    const old = session.name as string;
    if (this.p.claims && nameKey(old) !== nameKey(name)) return this.claimNick(session, name, ref);
    this.p.directory.rename(session, name);
    const rooms = session.rooms.map((r) => r.name);
    this.p.publish({ type: 'nick', old, new: name, rooms }, session, ref);
  }

  /** A cluster's rename: the new name is claimed cluster-wide first (the bus frees the old one). */
  private claimNick(session: Session, name: string, ref: Ref | undefined): void {
    const claims = this.p.claims as NameClaims;
    const key = nameKey(name);
    if (this.claiming.has(key)) return this.refuseClaim(session, name, 'taken', ref);
    this.claiming.set(key, session);
    claims.claim(name, key, session.token as string, undefined, (result) => {
      this.claiming.delete(key);
      if (session.closed || session.name === null)
        return result === 'ok' ? claims.release(nameKey(name)) : undefined;
      if (result !== 'ok') return this.refuseClaim(session, name, result, ref);
      const old = session.name;
      this.p.directory.rename(session, name);
      const rooms = session.rooms.map((r) => r.name);
      this.p.publish({ type: 'nick', old, new: name, rooms }, session, ref);
    });
  }
}
