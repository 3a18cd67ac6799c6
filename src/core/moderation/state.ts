import type { Clock } from '../clock.js';
import { nameKey } from '../names.js';
import type { Session } from '../session.js';
import { inRange, parseAddress, parseRange, type AddressRange } from './cidr.js';
import type { BanEntry, MuteEntry } from './events.js';

/** A room operator grant kept across restarts: only grants to registered accounts are. */
export interface RoomOpGrant {
  roomKey: string;
  /** The account's name key. */
  account: string;
}

/**
 * Where bans, mutes and account room-operator grants are kept across restarts (src/store
 * implements it over SQLite). Writes are rare (an operator's action): they may be synchronous.
 */
export interface ModerationStore {
  /** Everything kept, expired entries included (the core drops and prunes those). */
  load(): { bans: BanEntry[]; mutes: MuteEntry[]; roomOps: RoomOpGrant[] };
  addBan(ban: BanEntry): void;
  removeBans(ids: number[]): void;
  putMute(mute: MuteEntry): void;
  /** `key`: the muted name's key. */
  removeMute(key: string): void;
  putRoomOp(grant: RoomOpGrant): void;
  removeRoomOp(grant: RoomOpGrant): void;
}

/** One moderation action as the audit log keeps it (docs/SERVER.md, "Audit log"). */
export interface AuditEntry {
  ts: number;
  actor: string;
  action: 'kick' | 'ban' | 'unban' | 'mute' | 'unmute' | 'op' | 'deop';
  target: string;
  /** The target's address (a kick, or the ranges a ban covers); null when none applies. */
  address: string | null;
  /** As typed-then-normalised (`2h`, `none`); null for actions without one. */
  duration: string | null;
  until: number | null;
  reason: string;
  room: string | null;
}

/** Where every moderation action is appended (a JSON-lines file in the data dir). */
export interface AuditLog {
  append(entry: AuditEntry): void;
}

/** Who the server operators are: account name keys (`--ops` and `papo admin ops`). */
export interface OperatorList {
  has(accountKey: string): boolean;
}

export interface ModerationOptions {
  /** Time for pruning what expired while the server was down. */
  clock?: Clock;
  store?: ModerationStore;
  audit?: AuditLog;
  operators?: OperatorList;
}

/**
 * Who holds a room operator grant: a registered account (kept across restarts), or one
 * connection (a guest: its name is not its own to keep, so the grant ends with the connection
 * and does not follow the name).
 */
export interface OpHolder {
  account: string | null;
  session: number | null;
}

function holderIds(h: OpHolder): string[] {
  const ids: string[] = [];
  if (h.account !== null) ids.push(`a:${h.account}`);
  if (h.session !== null) ids.push(`s:${h.session}`);
  return ids;
}

const NO_OPERATORS: OperatorList = { has: () => false };

function inForce(entry: { until: number | null }, now: number): boolean {
  return entry.until === null || entry.until > now;
}

/**
 * Moderation's rules and state, in memory and free of I/O: bans (by name key and by address
 * range), mutes, room operators, and who is a server operator. Persistence and the audit log
 * are ports. Expired bans and mutes are ignored, and pruned from the store when met.
 */
export class Moderation {
  private readonly store: ModerationStore | undefined;
  private readonly auditLog: AuditLog | undefined;
  private readonly operators: OperatorList;
  private readonly bans = new Map<number, { ban: BanEntry; ranges: AddressRange[] }>();
  private readonly mutes = new Map<string, MuteEntry>();
  /** Room key → holders (`a:ACCOUNT`, `s:SESSION_ID`). */
  private readonly roomOps = new Map<string, Set<string>>();
  /** Session id → the rooms where that guest connection holds a grant (dropped when it ends). */
  private readonly guestRooms = new Map<number, Set<string>>();

  constructor(options: ModerationOptions = {}) {
    this.store = options.store;
    this.auditLog = options.audit;
    this.operators = options.operators ?? NO_OPERATORS;
    const saved = this.store?.load() ?? { bans: [], mutes: [], roomOps: [] };
    for (const ban of saved.bans) this.remember(ban);
    for (const mute of saved.mutes) this.mutes.set(nameKey(mute.name), mute);
    for (const g of saved.roomOps) this.holdersOf(g.roomKey).add(`a:${g.account}`);
    if (options.clock) this.prune(options.clock.now());
  }

  /** A server operator: logged in to an account on the operators list. */
  isServerOperator(session: Session): boolean {
    return session.account !== null && this.operators.has(session.account);
  }

  /** An operator of the room (`roomKey`): a server operator, or a holder of a grant there. */
  isRoomOperator(session: Session, roomKey: string): boolean {
    if (this.isServerOperator(session)) return true;
    const holders = this.roomOps.get(roomKey);
    if (!holders) return false;
    return (
      (session.account !== null && holders.has(`a:${session.account}`)) || holders.has(`s:${session.id}`)
    );
  }

  /** Makes `holder` an operator of the room. */
  grantRoomOp(roomKey: string, holder: OpHolder): void {
    for (const id of holderIds(holder)) this.holdersOf(roomKey).add(id);
    if (holder.account !== null) this.store?.putRoomOp({ roomKey, account: holder.account });
    else if (holder.session !== null) {
      let rooms = this.guestRooms.get(holder.session);
      if (!rooms) this.guestRooms.set(holder.session, (rooms = new Set()));
      rooms.add(roomKey);
    }
  }

  /** Takes the room operator grant of `holder` (its account and its connection) back. */
  revokeRoomOp(roomKey: string, holder: OpHolder): void {
    const holders = this.roomOps.get(roomKey);
    if (!holders) return;
    for (const id of holderIds(holder)) holders.delete(id);
    if (holders.size === 0) this.roomOps.delete(roomKey);
    if (holder.account !== null) this.store?.removeRoomOp({ roomKey, account: holder.account });
  }

  /** A connection ended: its guest grants end with it. */
  forgetSession(id: number): void {
    const rooms = this.guestRooms.get(id);
    if (!rooms) return;
    this.guestRooms.delete(id);
    for (const roomKey of rooms) this.revokeRoomOp(roomKey, { account: null, session: id });
  }

  /** A guest took its name back with its session token: its grants go to the new connection. */
  moveSession(from: number, to: number): void {
    const rooms = this.guestRooms.get(from);
    if (!rooms) return;
    this.guestRooms.delete(from);
    for (const roomKey of rooms) {
      this.revokeRoomOp(roomKey, { account: null, session: from });
      this.grantRoomOp(roomKey, { account: null, session: to });
    }
  }

  /** True when `key` names a server operator's account (offline ones included). */
  isOperatorAccount(key: string): boolean {
    return this.operators.has(key);
  }

  /** The ban in force on `address`, if any. */
  addressBan(address: string, now: number): BanEntry | undefined {
    const a = parseAddress(address);
    if (a === null) return undefined;
    return this.find(now, (_, ranges) => ranges.some((r) => inRange(r, a)));
  }

  /** The ban in force on a name key (or on the account of the same key), if any. */
  nameBan(key: string, account: string | null, now: number): BanEntry | undefined {
    return this.find(now, (ban) => ban.name !== null && (ban.name === key || ban.name === account));
  }

  /** True when `ban` covers the session: its name, its account or its address. */
  covers(ban: BanEntry, session: Session): boolean {
    if (ban.name !== null && (ban.name === session.key || ban.name === session.account)) return true;
    const a = parseAddress(session.address);
    return a !== null && (this.bans.get(ban.id)?.ranges ?? []).some((r) => inRange(r, a));
  }

  addBan(ban: BanEntry): void {
    this.remember(ban);
    this.store?.addBan(ban);
  }

  /** The ids of bans in force naming `target`: a name (any letter case) or a range as formatted. */
  bansOf(target: string, now: number): number[] {
    const key = nameKey(target);
    const range = parseRange(target);
    const ids: number[] = [];
    for (const { ban, ranges } of this.bans.values()) {
      if (!inForce(ban, now)) continue;
      const sameRange =
        range !== null &&
        ranges.some((r) => r.v === range.v && r.base === range.base && r.bits === range.bits);
      if (ban.name === key || sameRange) ids.push(ban.id);
    }
    return ids;
  }

  removeBans(ids: number[]): void {
    for (const id of ids) this.bans.delete(id);
    if (ids.length > 0) this.store?.removeBans(ids);
  }

  /** The mute in force on the session's name or account, if any. */
  muteOf(session: Session, now: number): MuteEntry | undefined {
    for (const key of [session.key, session.account]) {
      if (key === null) continue;
      const mute = this.mutes.get(key);
      if (!mute) continue;
      if (inForce(mute, now)) return mute;
      this.unmute(key);
    }
    return undefined;
  }

  /** The mute in force on a name key, if any. */
  muteByKey(key: string, now: number): MuteEntry | undefined {
    const mute = this.mutes.get(key);
    if (mute && !inForce(mute, now)) return void this.unmute(key);
    return mute;
  }

  mute(entry: MuteEntry): void {
    this.mutes.set(nameKey(entry.name), entry);
    this.store?.putMute(entry);
  }

  unmute(key: string): void {
    if (this.mutes.delete(key)) this.store?.removeMute(key);
  }

  /** Bans and mutes in force, oldest first (expired ones are pruned on the way). */
  list(now: number): { bans: BanEntry[]; mutes: MuteEntry[] } {
    this.prune(now);
    const bans = Array.from(this.bans.values(), (b) => b.ban).sort((a, b) => a.id - b.id);
    const mutes = Array.from(this.mutes.values()).sort((a, b) => a.ts - b.ts);
    return { bans, mutes };
  }

  audit(entry: AuditEntry): void {
    this.auditLog?.append(entry);
  }

  /** Drops expired bans and mutes, from memory and from the store. */
  prune(now: number): void {
    const expired = Array.from(this.bans.values(), (b) => b.ban).filter((b) => !inForce(b, now));
    this.removeBans(expired.map((b) => b.id));
    for (const [key, mute] of this.mutes) if (!inForce(mute, now)) this.unmute(key);
  }

  private find(now: number, test: (ban: BanEntry, ranges: AddressRange[]) => boolean): BanEntry | undefined {
    for (const { ban, ranges } of this.bans.values()) {
      if (!test(ban, ranges)) continue;
      if (inForce(ban, now)) return ban;
      this.removeBans([ban.id]);
    }
    return undefined;
  }

  private remember(ban: BanEntry): void {
    const ranges = ban.masks.map(parseRange).filter((r): r is AddressRange => r !== null);
    this.bans.set(ban.id, { ban, ranges });
  }

  private holdersOf(roomKey: string): Set<string> {
    let holders = this.roomOps.get(roomKey);
    if (!holders) this.roomOps.set(roomKey, (holders = new Set()));
    return holders;
  }
}
