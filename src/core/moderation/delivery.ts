import type { Ref } from '../events.js';
import { nameKey } from '../names.js';
import type { Room } from '../room.js';
import type { Session } from '../session.js';
import { formatDuration } from './duration.js';
import type { ModerationEvent } from './events.js';
import type { ModerationHost } from './host.js';
import type { AuditEntry, Moderation } from './state.js';

/**
 * Delivers a moderation event that came back from the bus: state first (and its store), then who
 * is told, then who is cut; the node where the request arrived (`local`) writes the audit line.
 */
export function deliverModeration(
  state: Moderation,
  host: ModerationHost,
  event: ModerationEvent,
  { from, ref, local }: { from: Session | undefined; ref: Ref | undefined; local: boolean },
): void {
  const now = host.now();
  // Before anyone is cut: a kicked user's address is gone with its session.
  const address = local ? addressOf(host, event) : null;
  const tell = (rooms: string[]) => tellRooms(host, event, rooms, from, ref);
  switch (event.type) {
    case 'kick': {
      tell(event.rooms);
      const target = host.find(event.name);
      if (!target) break;
      // Every node updates its view of the rooms; only the target's own node cuts it.
      const cut = host.isLocal(target);
      if (event.room === undefined) {
        if (cut) host.detach(target, 'kicked');
      } else {
        const room = host.room(event.room);
        if (room && target.inRoom(room)) host.removeFromRoom(target, room);
        if (cut && target.rooms.length === 0) host.detach(target, 'kicked');
      }
      break;
    }
    case 'ban': {
      const { id, target, by, reason, ts, until, name, masks } = event;
      const ban = { id, target, name, masks, by, reason, ts, until };
      state.addBan(ban);
      tell(event.rooms);
      for (const s of Array.from(host.sessions())) {
        if (s.closed || !host.isLocal(s) || !state.covers(ban, s)) continue;
        host.fail(s, 'BANNED', { kind: 'ban', reason, until }, undefined);
        host.detach(s, 'banned');
      }
      break;
    }
    case 'unban':
      state.removeBans(event.ids);
      tell(event.rooms);
      break;
    case 'mute':
      state.mute({
        name: event.name,
        by: event.by,
        reason: event.reason,
        ts: event.ts,
        until: event.until,
      });
      tell(event.rooms);
      break;
    case 'unmute':
      state.unmute(nameKey(event.name));
      tell(event.rooms);
      break;
    case 'op':
    case 'deop': {
      const roomKey = host.room(event.room)?.key ?? nameKey(event.room);
      const holder = { account: event.account, session: local ? event.session : null };
      if (event.type === 'op') {
        // A connection's id means something only on its own node.
        if (event.account !== null || local) state.grantRoomOp(roomKey, holder);
      } else state.revokeRoomOp(roomKey, holder);
      tell([event.room]);
      break;
    }
  }
  if (local) state.audit(auditEntry(event, address, now));
}

/** Sends `event` once to every member of `rooms`, and to its author with an `ack`. */
function tellRooms(
  host: ModerationHost,
  event: ModerationEvent,
  rooms: string[],
  from: Session | undefined,
  ref: Ref | undefined,
): void {
  const found = rooms.map((name) => host.room(name)).filter((r): r is Room => r !== undefined);
  const author = from && !from.closed ? from : undefined;
  host.toRooms(found, event, author);
  if (!author) return;
  author.peer.send(event);
  author.peer.send({ type: 'ack', ref, id: event.id, ts: event.ts, of: 'moderation' });
}

function addressOf(host: ModerationHost, event: ModerationEvent): string | null {
  if (event.type === 'ban') return event.masks.length > 0 ? event.masks.join(',') : null;
  if (event.type === 'kick') return host.find(event.name)?.address || null;
  return null;
}

/** A ban's or mute's length as typed: its end was set a moment before the bus stamped the event. */
function lengthOf(event: { ts: number; until: number | null }): string {
  return formatDuration(event.until === null ? null : Math.round((event.until - event.ts) / 1000) * 1000);
}

function auditEntry(event: ModerationEvent, address: string | null, now: number): AuditEntry {
  const base = {
    ts: event.ts || now,
    actor: event.by,
    address,
    duration: null,
    until: null,
    reason: '',
    room: null,
  };
  switch (event.type) {
    case 'kick':
      return { ...base, action: 'kick', target: event.name, reason: event.reason, room: event.room ?? null };
    case 'ban':
      return {
        ...base,
        action: 'ban',
        target: event.target,
        reason: event.reason,
        until: event.until,
        duration: lengthOf(event),
      };
    case 'unban':
      return { ...base, action: 'unban', target: event.target };
    case 'mute':
      return {
        ...base,
        action: 'mute',
        target: event.name,
        reason: event.reason,
        until: event.until,
        duration: lengthOf(event),
      };
    case 'unmute':
      return { ...base, action: 'unmute', target: event.name };
    case 'op':
    case 'deop':
      return { ...base, action: event.type, target: event.name, room: event.room };
  }
}
