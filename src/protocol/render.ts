import type { HistoryEvent, HistoryRecord, ServerEvent } from '../core/events.js';
import { accountLines, challengeLines, whoisLines } from './account-texts.js';
import { formatBytes } from './format-bytes.js';
import type { FileMessage, ServerMessage } from './json-messages.js';
import { MODERATION_TEXTS } from './moderation-texts.js';
import { TEXTS, type Lang, type Texts } from './texts.js';

/** How a connection speaks: lines for people (`plain`) or JSON lines for programs (`json`). */
export type Format = 'plain' | 'json';

/** What plain rendering needs to know of its reader. */
export interface Reader {
  lang: Lang;
  /** The reader's current room: events from other rooms are marked with theirs. */
  currentRoom: string | null;
}

/** The room an event belongs to, if it belongs to one. */
export function roomOfEvent(event: ServerEvent): string | undefined {
  switch (event.type) {
    case 'message':
    case 'action':
    case 'join':
    case 'part':
    case 'topic':
    case 'presence':
    case 'op':
    case 'deop':
      return event.room;
    case 'kick':
      return event.room;
    case 'file':
      return event.room;
    default:
      return undefined;
  }
}

/** True when an event of `room` (undefined: of no room) is from a room other than the reader's current one. */
export function isOtherRoom(room: string | undefined, currentRoom: string | null): boolean {
  return room !== undefined && room !== currentRoom;
}

/**
 * The plain-text lines for an event (no line endings); empty when plain users see nothing.
 * Events of the reader's current room read as they always did (`name: text`); those of the
 * reader's other rooms carry `[#room]` (PROTOCOL.md, "Rooms").
 */
export function plainLines(event: ServerEvent, reader: Reader): string[] {
  const t = TEXTS[reader.lang];
  const room = roomOfEvent(event);
  const other = isOtherRoom(room, reader.currentRoom);
  const tag = other ? `[${room}] ` : '';
  switch (event.type) {
    case 'message':
      return [`${tag}${event.from}: ${event.text}`];
    case 'action':
      return [`${tag}* ${event.from} ${event.text}`];
    case 'join':
      if (!event.connected) return [t.joinedRoom(event.name, event.room)];
      return [other ? t.joined(event.name).replace('*** ', `*** ${tag}`) : t.joined(event.name)];
    case 'part':
      return [t.parted(event.name, event.room, event.reason)];
    case 'topic':
      return [t.topicSet(event.by, event.room, event.text)];
    case 'leave':
      return [t.left(event.name, event.reason)];
    case 'nick':
      return [t.renamed(event.old, event.new)];
    case 'private':
      return [`${t.privateFrom} ${event.from}: ${event.text}`];
    case 'file': {
      const about = `(${formatBytes(event.size)}, sha256 ${event.sha256.slice(0, 8)}…)`;
      if (event.room === undefined) return [t.fileSentYou(event.from, event.name, about, event.url)];
      return [t.fileSent(event.from, event.name, about, event.url).replace('*** ', `*** ${tag}`)];
    }
    case 'upload_slot':
      return [];
    case 'ack':
      // Public messages are not echoed to their author in plain mode; a private one is confirmed.
      return event.of === 'private' ? [`${t.privateTo(event.to ?? '')} ${event.text ?? ''}`] : [];
    case 'welcome':
      return t.welcome(event.name, event.users, event.resumed, event.userCount);
    case 'room':
      return t.inRoom(event.room, event.topic, event.users, event.userCount);
    case 'presence': {
      const lines: string[] = [];
      if (event.joinedCount > 0) lines.push(t.presenceJoined(event.joinedCount, event.joined));
      if (event.leftCount > 0) lines.push(t.presenceLeft(event.leftCount, event.left));
      return other ? lines.map((l) => l.replace('*** ', `*** ${tag}`)) : lines;
    }
    case 'rooms':
      return [
        t.roomsHeader(event.rooms.length),
        ...event.rooms.map((r) => t.roomLine(r.room, r.users, r.topic)),
      ];
    case 'topic_info':
      return [t.topicInfo(event.room, event.text)];
    case 'users':
      return [event.room === reader.currentRoom ? t.online(event.users) : t.members(event.room, event.users)];
    case 'error':
      return [`!! ${t.error(event.code, event.detail)}`];
    case 'notice':
      return [t.notice(event.code, event.detail)];
    case 'pong':
      return [t.pong];
    case 'history':
      return historyLines(event, t, reader.currentRoom);
    case 'challenge':
      return challengeLines(reader.lang, event);
    case 'account':
      return accountLines(reader.lang, event);
    case 'whois':
      return whoisLines(reader.lang, event);
    case 'bye':
      if (event.reason === 'quit') return [t.goodbye];
      if (event.reason === 'replaced') return [t.replaced];
      if (event.reason === 'name_lost') return [t.nameLost];
      return [];
    case 'kick':
    case 'ban':
    case 'unban':
    case 'mute':
    case 'unmute':
    case 'op':
    case 'deop': {
      const line = MODERATION_TEXTS[reader.lang].notice(event);
      return [other ? line.replace('*** ', `*** ${tag}`) : line];
    }
    case 'bans':
      return MODERATION_TEXTS[reader.lang].bans(event);
  }
}

/** The JSON-lines message for an event. */
export function jsonMessage(event: ServerEvent, lang: Lang): ServerMessage | FileMessage {
  switch (event.type) {
    case 'message':
    case 'action': {
      const { type, id, ts, room, from, text } = event;
      return { type, id, ts, room, from, text };
    }
    case 'join': {
      const { id, ts, room, name } = event;
      return event.connected
        ? { type: 'join', id, ts, room, name, connected: true }
        : { type: 'join', id, ts, room, name };
    }
    case 'part': {
      const { id, ts, room, name, reason } = event;
      return reason === undefined
        ? { type: 'part', id, ts, room, name }
        : { type: 'part', id, ts, room, name, reason };
    }
    case 'leave':
      return { type: 'leave', id: event.id, ts: event.ts, name: event.name, reason: event.reason };
    case 'nick':
      return { type: 'nick', id: event.id, ts: event.ts, old: event.old, new: event.new };
    case 'topic': {
      const { id, ts, room, by, text } = event;
      return { type: 'topic', id, ts, room, by, text };
    }
    case 'private': {
      const { id, ts, from, to, text } = event;
      return { type: 'private', id, ts, from, to, text };
    }
    case 'file': {
      const { id, ts, from, room, to, name, size, mime, sha256, url } = event;
      const where = room !== undefined ? { room } : { to: to ?? '' };
      return { type: 'file', id, ts, from, ...where, name, size, mime, sha256, url };
    }
    case 'upload_slot': {
      const { url, size, offset } = event;
      return withRef({ type: 'upload_slot', url, size, offset }, event.ref);
    }
    case 'ack': {
      const m: ServerMessage = { type: 'ack', id: event.id, ts: event.ts };
      if (event.room !== undefined) m.room = event.room;
      if (event.of === 'nick') m.name = event.name;
      return withRef(m, event.ref);
    }
    case 'welcome': {
      const { name, token, room, users, userCount, resumed } = event;
      return { type: 'welcome', name, token, room, users, userCount, resumed };
    }
    case 'room': {
      const { room, topic, users, userCount } = event;
      return withRef({ type: 'room', room, topic, users, userCount }, event.ref);
    }
    case 'presence': {
      const { ts, room, joined, joinedCount, left, leftCount } = event;
      return { type: 'presence', ts, room, joined, joinedCount, left, leftCount };
    }
    case 'rooms':
      return withRef({ type: 'rooms', rooms: event.rooms }, event.ref);
    case 'topic_info':
      return withRef({ type: 'topic_info', room: event.room, text: event.text }, event.ref);
    case 'users':
      return withRef({ type: 'users', room: event.room, users: event.users }, event.ref);
    case 'error':
      return withRef(
        { type: 'error', code: event.code, message: TEXTS[lang].error(event.code, event.detail) },
        event.ref,
      );
    case 'notice': {
      const message = TEXTS[lang].notice(event.code, event.detail);
      const d = event.detail;
      // The lost ids as numbers too, so a client can mark the gap (PROTOCOL.md, "Notices").
      if (d.kind === 'lost') return { type: 'notice', code: event.code, message, from: d.from, to: d.to };
      return { type: 'notice', code: event.code, message };
    }
    case 'pong':
      return withRef({ type: 'pong' }, event.ref);
    case 'history':
      return historyHeader(event);
    case 'challenge': {
      const { name, nonce, server, password, key, register } = event;
      return withRef({ type: 'challenge', name, nonce, server, password, key, register }, event.ref);
    }
    case 'account':
    case 'whois':
      return { ...event };
    case 'bye':
      return { type: 'bye', reason: event.reason };
    case 'kick': {
      const { id, ts, name, by, reason, room } = event;
      return withReason(
        room === undefined ? { type: 'kick', id, ts, name, by } : { type: 'kick', id, ts, name, by, room },
        reason,
      );
    }
    case 'ban': {
      const { id, ts, target, by, reason, until } = event;
      return withReason({ type: 'ban', id, ts, target, by, until }, reason);
    }
    case 'unban':
      return { type: 'unban', id: event.id, ts: event.ts, target: event.target, by: event.by };
    case 'mute': {
      const { id, ts, name, by, reason, until } = event;
      return withReason({ type: 'mute', id, ts, name, by, until }, reason);
    }
    case 'unmute':
      return { type: 'unmute', id: event.id, ts: event.ts, name: event.name, by: event.by };
    case 'op':
    case 'deop': {
      const { type, id, ts, room, name, by } = event;
      return { type, id, ts, room, name, by };
    }
    case 'bans':
      return withRef({ type: 'bans', bans: event.bans, mutes: event.mutes }, event.ref);
  }
}

/** A moderation notice's reason, only when one was given. */
function withReason<T extends object>(m: T, reason: string): T {
  return reason ? { ...m, reason } : m;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM` in the server's local time. */
export function formatStamp(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/**
 * A stored message for plain users: `[YYYY-MM-DD HH:MM] name: text` (or `* name text`), with
 * `[#room]` after the date when it is not from `currentRoom`.
 */
export function historyLine(r: HistoryRecord, currentRoom: string | null = r.room): string {
  const body = r.type === 'message' ? `${r.from}: ${r.text}` : `* ${r.from} ${r.text}`;
  const room = r.room === currentRoom ? '' : `[${r.room}] `;
  return `[${formatStamp(r.ts)}] ${room}${body}`;
}

/** Header, one line per stored message, footer (PROTOCOL.md, "History"). */
function historyLines(event: HistoryEvent, t: Texts, currentRoom: string | null): string[] {
  const n = event.records.length;
  const query = event.query ?? '';
  const tag = event.room !== undefined && event.room !== currentRoom ? `[${event.room}] ` : '';
  const tagged = (line: string) => (tag ? line.replace('*** ', `*** ${tag}`) : line);
  if (n === 0) return [tagged(event.kind === 'search' ? t.searchNone(query) : t.historyNone)];
  const header =
    event.kind === 'search'
      ? t.searchHeader(query, n)
      : event.kind === 'page'
        ? t.historyPageHeader(n)
        : t.historyHeader(n);
  const lines = event.records.map((r) => historyLine(r, currentRoom));
  const footer =
    event.kind === 'search' ? t.searchFooter : event.more ? t.historyFooterMore : t.historyFooter;
  return [tagged(header), ...lines, tagged(footer)];
}

function historyHeader(event: HistoryEvent): ServerMessage {
  const m: ServerMessage = { type: 'history', kind: event.kind, count: event.records.length };
  if (event.room !== undefined) m.room = event.room;
  if (event.kind === 'search') m.query = event.query ?? '';
  else m.more = event.more;
  return withRef(m, event.ref);
}

/** The JSON lines of a history event: its header, then each stored message marked `history: true`. */
function historyJson(event: HistoryEvent): Buffer {
  const lines = [JSON.stringify(historyHeader(event))];
  for (const r of event.records) {
    const { type, id, ts, room, from, text } = r;
    lines.push(JSON.stringify({ type, id, ts, room, from, text, history: true }));
  }
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

function withRef<T extends object>(m: T, ref: string | number | undefined): T {
  return ref === undefined ? m : { ...m, ref };
}

/** Encodes one server message as a JSON line. */
export function encodeJson(message: ServerMessage | FileMessage): Buffer {
  return Buffer.from(JSON.stringify(message) + '\n', 'utf8');
}

/** The bytes of an event for one reader, uncached. */
export function encodeFor(event: ServerEvent, format: Format, reader: Reader): Uint8Array {
  if (format === 'json') {
    return event.type === 'history' ? historyJson(event) : encodeJson(jsonMessage(event, reader.lang));
  }
  const lines = plainLines(event, reader);
  return lines.length === 0 ? EMPTY : Buffer.from(lines.join('\n') + '\n', 'utf8');
}

const EMPTY = new Uint8Array(0);
