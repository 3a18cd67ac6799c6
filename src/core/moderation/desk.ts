import type { Draft } from '../bus.js';
import type { ErrorDetail, Ref } from '../events.js';
import { checkName, nameKey } from '../names.js';
import type { Room } from '../room.js';
import type { Session } from '../session.js';
import { sanitizeText } from '../text.js';
import { formatRange, inRange, parseAddress, parseRange } from './cidr.js';
import { parseDuration } from './duration.js';
import type { ModerationAction, ModerationEvent, TargetProblem } from './events.js';
import { deliverModeration } from './delivery.js';
import type { ModerationHost } from './host.js';
import type { Moderation } from './state.js';

export type { ModerationHost } from './host.js';

/** Longest reason shown to others, in characters (as for `/part`). */
export const MAX_MODERATION_REASON_CHARS = 200;

function cleanReason(raw: string | undefined): string {
  return raw === undefined ? '' : sanitizeText(raw.trim()).slice(0, MAX_MODERATION_REASON_CHARS);
}

function targetDetail(problem: TargetProblem): ErrorDetail {
  return { kind: 'target', problem };
}

/** A name or address as typed, made safe to echo in an error. */
function echo(text: string): string {
  return sanitizeText(text).slice(0, 64);
}

/**
 * Carries out operators' requests (checks, then one event on the bus) and delivers moderation
 * events when they come back (state, notices, who is cut), so one node and a cluster take the
 * same path. Every check is here, on the server.
 */
export class ModerationDesk {
  constructor(
    readonly state: Moderation,
    private readonly host: ModerationHost,
  ) {}

  /**
   * True when `session` may post (say, /me, private messages, topics, files); otherwise tells it
   * MUTED, with until when, and returns false.
   */
  mayPost(session: Session, ref?: Ref): boolean {
    const mute = this.state.muteOf(session, this.host.now());
    if (!mute) return true;
    this.host.fail(session, 'MUTED', { kind: 'mute', until: mute.until }, ref);
    return false;
  }

  /** The ban that refuses a connection from `session`'s address (checked when it arrives). */
  refuseAddress(session: Session): boolean {
    const ban = this.state.addressBan(session.address, this.host.now());
    if (!ban) return false;
    this.host.fail(session, 'BANNED', { kind: 'ban', reason: ban.reason, until: ban.until }, undefined);
    this.host.detach(session, 'banned');
    return true;
  }

  /** On joining (or renaming) as `key`: false after telling the session it is banned. */
  allowName(session: Session, key: string, ref: Ref | undefined, joining: boolean): boolean {
    const now = this.host.now();
    const ban = this.state.nameBan(key, session.account, now) ?? this.state.addressBan(session.address, now);
    if (!ban) return true;
    this.host.fail(session, 'BANNED', { kind: 'ban', reason: ban.reason, until: ban.until }, ref);
    if (joining) this.host.detach(session, 'banned');
    return false;
  }

  /** A muted user keeps the name it was muted under (a rename would escape the mute). */
  mayRename(session: Session, ref: Ref | undefined): boolean {
    return this.mayPost(session, ref);
  }

  /** A room has just been created by `session`: its creator is its operator. */
  roomCreated(room: Room, session: Session): void {
    if (room.key === nameKey(this.host.defaultRoom) || session.key === null) return;
    this.state.grantRoomOp(room.key, this.bindingOf(session));
  }

  handle(session: Session, action: ModerationAction): void {
    switch (action.type) {
      case 'kick':
        return this.kick(session, action);
      case 'ban':
        return this.ban(session, action);
      case 'unban':
        return this.unban(session, action);
      case 'bans': {
        if (!this.requireServerOp(session, action.ref)) return;
        const { bans, mutes } = this.state.list(this.host.now());
        return session.peer.send({ type: 'bans', bans, mutes, ref: action.ref });
      }
      case 'mute':
        return this.mute(session, action);
      case 'unmute':
        return this.unmute(session, action);
      case 'op':
      case 'deop':
        return this.op(session, action);
    }
  }

  private kick(session: Session, a: Extract<ModerationAction, { type: 'kick' }>): void {
    const by = session.name as string;
    const reason = cleanReason(a.reason);
    if (a.server) {
      if (!this.requireServerOp(session, a.ref)) return;
      const target = this.onlineTarget(session, a.name, a.ref);
      if (!target) return;
      const rooms = this.noticeRooms(session, target, undefined);
      return this.host.publish(
        { type: 'kick', name: target.name as string, by, reason, rooms },
        session,
        a.ref,
      );
    }
    const room = this.operatedRoom(session, a.room, a.ref);
    if (!room) return;
    const target = this.onlineTarget(session, a.name, a.ref);
    if (!target) return;
    if (!target.inRoom(room)) {
      const problem = { kind: 'not_in_room', name: target.name as string, room: room.name } as const;
      return this.host.fail(session, 'BAD_TARGET', targetDetail(problem), a.ref);
    }
    const draft: Draft = {
      type: 'kick',
      name: target.name as string,
      by,
      reason,
      room: room.name,
      rooms: [room.name],
    };
    this.host.publish(draft, session, a.ref);
  }

  private ban(session: Session, a: Extract<ModerationAction, { type: 'ban' }>): void {
    if (!this.requireServerOp(session, a.ref)) return;
    const until = this.until(session, a.duration, a.ref);
    if (until === undefined) return;
    const by = session.name as string;
    const reason = cleanReason(a.reason);
    // Names never hold `:` or `/`; a dotted quad is read as an IPv4 address (PROTOCOL.md, "Moderation").
    const asRange = /[:/]/.test(a.target) || /^\d{1,3}(\.\d{1,3}){3}$/.test(a.target);
    if (asRange) {
      const range = parseRange(a.target);
      if (!range)
        return this.host.fail(
          session,
          'BAD_TARGET',
          targetDetail({ kind: 'address', text: echo(a.target) }),
          a.ref,
        );
      const mask = formatRange(range);
      if (this.coversSelf(session, mask)) {
        return this.host.fail(session, 'BAD_TARGET', targetDetail({ kind: 'own_address', mask }), a.ref);
      }
      const rooms = this.noticeRooms(session, undefined, a.room);
      return this.host.publish(
        { type: 'ban', target: mask, by, reason, until, name: null, masks: [mask], rooms },
        session,
        a.ref,
      );
    }
    const check = checkName(a.target);
    if (!check.ok)
      return this.host.fail(session, 'NAME_INVALID', { kind: 'name', problem: check.problem }, a.ref);
    const target = this.banOrMuteTarget(session, check.name, a.ref);
    if (target === false) return;
    const name = target?.name ?? check.name;
    // The address the user came from too, unless it is the operator's own (Ergo refuses to ban
    // yourself the same way): then the name alone is banned.
    const own = target ? parseAddress(target.address) : null;
    const mask = own ? formatRange({ v: own.v, base: own.value, bits: own.v === 4 ? 32 : 128 }) : null;
    const masks = mask !== null && !this.coversSelf(session, mask) ? [mask] : [];
    const rooms = this.noticeRooms(session, target, a.room);
    this.host.publish(
      { type: 'ban', target: name, by, reason, until, name: nameKey(name), masks, rooms },
      session,
      a.ref,
    );
  }

  /**
   * Who a ban or mute by name is for: the user online under it if it may be acted on, undefined
   * when nobody is (an offline name, unless it is an operator's account); false after telling
   * the operator why not.
   */
  private banOrMuteTarget(session: Session, name: string, ref: Ref | undefined): Session | undefined | false {
    const target = this.host.find(name);
    if (target) return this.actionable(session, target, ref) && target;
    if (!this.state.isOperatorAccount(nameKey(name))) return undefined;
    this.host.fail(session, 'BAD_TARGET', targetDetail({ kind: 'operator', name }), ref);
    return false;
  }

  private unban(session: Session, a: Extract<ModerationAction, { type: 'unban' }>): void {
    if (!this.requireServerOp(session, a.ref)) return;
    const range = parseRange(a.target);
    const target = range ? formatRange(range) : a.target;
    const ids = this.state.bansOf(target, this.host.now());
    if (ids.length === 0) {
      return this.host.fail(
        session,
        'BAD_TARGET',
        targetDetail({ kind: 'not_banned', target: echo(a.target) }),
        a.ref,
      );
    }
    const rooms = this.noticeRooms(session, undefined, a.room);
    this.host.publish(
      { type: 'unban', target: echo(target), by: session.name as string, ids, rooms },
      session,
      a.ref,
    );
  }

  private mute(session: Session, a: Extract<ModerationAction, { type: 'mute' }>): void {
    if (!this.requireServerOp(session, a.ref)) return;
    const check = checkName(a.name);
    if (!check.ok)
      return this.host.fail(session, 'NAME_INVALID', { kind: 'name', problem: check.problem }, a.ref);
    const until = this.until(session, a.duration, a.ref);
    if (until === undefined) return;
    const target = this.banOrMuteTarget(session, check.name, a.ref);
    if (target === false) return;
    const rooms = this.noticeRooms(session, target, a.room);
    const name = target?.name ?? check.name;
    this.host.publish(
      { type: 'mute', name, by: session.name as string, reason: cleanReason(a.reason), until, rooms },
      session,
      a.ref,
    );
  }

  private unmute(session: Session, a: Extract<ModerationAction, { type: 'unmute' }>): void {
    if (!this.requireServerOp(session, a.ref)) return;
    const mute = this.state.muteByKey(nameKey(a.name), this.host.now());
    if (!mute)
      return this.host.fail(
        session,
        'BAD_TARGET',
        targetDetail({ kind: 'not_muted', name: echo(a.name) }),
        a.ref,
      );
    const rooms = this.noticeRooms(session, this.host.find(a.name), a.room);
    this.host.publish({ type: 'unmute', name: mute.name, by: session.name as string, rooms }, session, a.ref);
  }

  private op(session: Session, a: Extract<ModerationAction, { type: 'op' | 'deop' }>): void {
    const room = this.operatedRoom(session, a.room, a.ref);
    if (!room) return;
    const target = this.onlineTarget(session, a.name, a.ref);
    if (!target) return;
    if (!target.inRoom(room)) {
      const problem = { kind: 'not_in_room', name: target.name as string, room: room.name } as const;
      return this.host.fail(session, 'BAD_TARGET', targetDetail(problem), a.ref);
    }
    // /deop takes back a grant to the account and to the connection alike.
    const { account, session: id } =
      a.type === 'op' ? this.bindingOf(target) : { account: target.account, session: target.id };
    const draft = {
      type: a.type,
      room: room.name,
      name: target.name as string,
      by: session.name as string,
      account,
      session: id,
    };
    this.host.publish(draft, session, a.ref);
  }

  /** Delivers a moderation event that came back from the bus (delivery.ts). */
  deliver(event: ModerationEvent, from: Session | undefined, ref: Ref | undefined, local: boolean): void {
    deliverModeration(this.state, this.host, event, { from, ref, local });
  }

  /** The rooms told of an action: where the operator acted, and the target's rooms. */
  private noticeRooms(session: Session, target: Session | undefined, room: string | undefined): string[] {
    const here = (room !== undefined ? this.host.room(room) : undefined) ?? session.current;
    const rooms = new Set<string>(here ? [here.name] : []);
    for (const r of target?.rooms ?? []) rooms.add(r.name);
    return Array.from(rooms);
  }

  private bindingOf(session: Session): { account: string | null; session: number | null } {
    // A registered user's grant follows the account; a guest's lasts as long as its connection.
    return session.account !== null
      ? { account: session.account, session: null }
      : { account: null, session: session.id };
  }

  private requireServerOp(session: Session, ref: Ref | undefined): boolean {
    if (this.state.isServerOperator(session)) return true;
    this.host.fail(session, 'NOT_OPERATOR', { kind: 'operator', room: null }, ref);
    return false;
  }

  /** The room acted on (the default room when absent), if the session is its operator; else says why. */
  private operatedRoom(session: Session, name: string | undefined, ref: Ref | undefined): Room | undefined {
    const room = this.host.room(name ?? this.host.defaultRoom);
    if (!room) {
      this.host.fail(session, 'NO_SUCH_ROOM', { kind: 'room', room: echo(name ?? '') }, ref);
      return undefined;
    }
    if (this.state.isRoomOperator(session, room.key)) return room;
    this.host.fail(session, 'NOT_OPERATOR', { kind: 'operator', room: room.name }, ref);
    return undefined;
  }

  /** The online user `name`, if one may act on them; else says why. */
  private onlineTarget(session: Session, name: string, ref: Ref | undefined): Session | undefined {
    const target = this.host.find(name);
    if (!target) {
      this.host.fail(session, 'NO_SUCH_USER', { kind: 'user', name: echo(name) }, ref);
      return undefined;
    }
    return this.actionable(session, target, ref) ? target : undefined;
  }

  /** Not yourself, and not a server operator (a room operator may still /op and /deop one). */
  private actionable(session: Session, target: Session, ref: Ref | undefined): boolean {
    if (target === session) {
      this.host.fail(session, 'BAD_TARGET', targetDetail({ kind: 'self' }), ref);
      return false;
    }
    if (this.state.isServerOperator(target)) {
      this.host.fail(
        session,
        'BAD_TARGET',
        targetDetail({ kind: 'operator', name: target.name as string }),
        ref,
      );
      return false;
    }
    return true;
  }

  /** The end of a ban or mute from its duration (null: none); undefined after saying why not. */
  private until(
    session: Session,
    duration: string | undefined,
    ref: Ref | undefined,
  ): number | null | undefined {
    if (duration === undefined) return null;
    const d = parseDuration(duration);
    if (!d.ok) {
      this.host.fail(
        session,
        'BAD_TARGET',
        targetDetail({ kind: 'duration', text: echo(duration), why: d.problem }),
        ref,
      );
      return undefined;
    }
    return d.ms === null ? null : this.host.now() + d.ms;
  }

  private coversSelf(session: Session, mask: string): boolean {
    const range = parseRange(mask);
    const own = parseAddress(session.address);
    return range !== null && own !== null && inRange(range, own);
  }
}

const MODERATION_TYPES = new Set(['kick', 'ban', 'unban', 'mute', 'unmute', 'op', 'deop']);

/** True for the events and requests moderation handles. */
export function isModeration<T extends { type: string }>(
  e: T,
): e is Extract<T, { type: ModerationEvent['type'] | ModerationAction['type'] }> {
  return MODERATION_TYPES.has(e.type) || e.type === 'bans';
}
