import type { ServerEvent } from '../core/events.js';
import { sanitizeText } from '../core/text.js';
import type { ServerMessage } from '../protocol/json-messages.js';
import { historyLine, plainLines } from '../protocol/render.js';
import { TEXTS, type Lang } from '../protocol/texts.js';

type HistoryHeader = Extract<ServerMessage, { type: 'history' }>;

/** Every string of a server message made safe to show: no control reaches the terminal. */
function clean<T>(value: T): T {
  if (typeof value === 'string') return sanitizeText(value) as T;
  if (Array.isArray(value)) return value.map(clean) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)])) as T;
  }
  return value;
}

/**
 * The core's event for a server message whose JSON form carries the event's fields, so the
 * server's own plain renderer can read it; null for the others (errors and notices carry a
 * sentence, not a code and detail; a history header carries a count, not the records).
 */
function asEvent(m: ServerMessage): ServerEvent | null {
  switch (m.type) {
    case 'leave':
    case 'nick':
      return { ...m, rooms: [] }; // who is told is the server's business, not the text's
    case 'message':
    case 'action':
    case 'private':
    case 'join':
    case 'part':
    case 'topic':
    case 'room':
    case 'presence':
    case 'rooms':
    case 'topic_info':
    case 'users':
    case 'pong':
    case 'account':
    case 'whois':
    case 'bans':
      return m;
    case 'kick':
    case 'mute':
      return { ...m, reason: m.reason ?? '', rooms: [] };
    case 'ban':
      return { ...m, reason: m.reason ?? '', name: null, masks: [], rooms: [] };
    case 'unban':
      return { ...m, ids: [], rooms: [] };
    case 'unmute':
      return { ...m, rooms: [] };
    case 'op':
    case 'deop':
      return { ...m, account: null, session: null };
    default:
      return null;
  }
}

/** The `*** History …` / `*** Search …` line announcing a history message's records. */
export function historyHeaderText(lang: Lang, m: HistoryHeader): string {
  const t = TEXTS[lang];
  const q = sanitizeText(m.query ?? '');
  if (m.count === 0) return m.kind === 'search' ? t.searchNone(q) : t.historyNone;
  if (m.kind === 'search') return t.searchHeader(q, m.count);
  return m.kind === 'page' ? t.historyPageHeader(m.count) : t.historyHeader(m.count);
}

/**
 * The plain lines for one server message, exactly as a plain-text user of papo reads them:
 * the server's own renderer (src/protocol/render.ts), so `name: text`, `[#room] name: text`,
 * `*** ana joined #rust.` and the rest are written in one place. A stored message is dated
 * (`[YYYY-MM-DD HH:MM] name: text`); `currentRoom` is where the reader's lines go, null with a
 * server without rooms.
 */
export function plainServerLines(
  lang: Lang,
  message: ServerMessage,
  currentRoom: string | null = null,
): string[] {
  const m = clean(message);
  const t = TEXTS[lang];
  switch (m.type) {
    case 'message':
    case 'action':
      if (m.history) return [historyLine(m, currentRoom ?? m.room)];
      break;
    case 'welcome':
      // The third line (how to type) is the terminal client's own.
      return t.welcome(m.name, m.users, m.resumed, m.userCount).slice(0, 2);
    case 'notice':
      return [m.message];
    case 'error':
      return [`!! ${m.message}`];
    case 'history': {
      const header = historyHeaderText(lang, m);
      const other = m.room !== undefined && currentRoom !== null && m.room !== currentRoom;
      return [other ? header.replace('*** ', `*** [${m.room}] `) : header];
    }
    case 'bye':
      if (m.reason === 'name_lost') return [t.nameLost];
      return m.reason === 'replaced' ? [t.replaced] : [];
    case 'hello':
    case 'ack':
    case 'ping':
      return [];
  }
  const event = asEvent(m);
  return event ? plainLines(event, { lang, currentRoom }) : [];
}
