import type { HistoryEvent, HistoryRecord, ServerEvent } from '../core/events.js';
import type { ServerMessage } from './json-messages.js';
import { TEXTS, type Lang, type Texts } from './texts.js';

/** How a connection speaks: lines for people (`plain`) or JSON lines for programs (`json`). */
export type Format = 'plain' | 'json';

const EMPTY = new Uint8Array(0);

/** Cache keys as constant strings: building one per recipient was a hot spot in fan-out profiles. */
const CACHE_KEYS: Record<Format, Record<Lang, string>> = {
  plain: { en: 'plain:en', pt: 'plain:pt' },
  json: { en: 'json:en', pt: 'json:pt' },
};

/** The plain-text lines for an event (no line endings); empty when plain users see nothing. */
export function plainLines(event: ServerEvent, lang: Lang): string[] {
  const t = TEXTS[lang];
  switch (event.type) {
    case 'message':
      return [`${event.from}: ${event.text}`];
    case 'action':
      return [`* ${event.from} ${event.text}`];
    case 'join':
      return [t.joined(event.name)];
    case 'leave':
      return [t.left(event.name, event.reason)];
    case 'nick':
      return [t.renamed(event.old, event.new)];
    case 'private':
      return [`${t.privateFrom} ${event.from}: ${event.text}`];
    case 'ack':
      // Public messages are not echoed to their author in plain mode; a private one is confirmed.
      return event.of === 'private' ? [`${t.privateTo(event.to ?? '')} ${event.text ?? ''}`] : [];
    case 'welcome':
      return t.welcome(event.name, event.users, event.resumed);
    case 'users':
      return [t.online(event.users)];
    case 'error':
      return [`!! ${t.error(event.code, event.detail)}`];
    case 'notice':
      return [t.notice(event.code, event.detail)];
    case 'pong':
      return [t.pong];
    case 'history':
      return historyLines(event, t);
    case 'bye':
      if (event.reason === 'quit') return [t.goodbye];
      if (event.reason === 'replaced') return [t.replaced];
      return [];
  }
}

/** The JSON-lines message for an event. */
export function jsonMessage(event: ServerEvent, lang: Lang): ServerMessage {
  switch (event.type) {
    case 'message':
    case 'action':
      return { type: event.type, id: event.id, ts: event.ts, from: event.from, text: event.text };
    case 'join':
      return { type: 'join', id: event.id, ts: event.ts, name: event.name };
    case 'leave':
      return { type: 'leave', id: event.id, ts: event.ts, name: event.name, reason: event.reason };
    case 'nick':
      return { type: 'nick', id: event.id, ts: event.ts, old: event.old, new: event.new };
    case 'private':
      return {
        type: 'private',
        id: event.id,
        ts: event.ts,
        from: event.from,
        to: event.to,
        text: event.text,
      };
    case 'ack':
      return withRef(
        event.of === 'nick'
          ? { type: 'ack', id: event.id, ts: event.ts, name: event.name }
          : { type: 'ack', id: event.id, ts: event.ts },
        event.ref,
      );
    case 'welcome':
      return {
        type: 'welcome',
        name: event.name,
        token: event.token,
        users: event.users,
        resumed: event.resumed,
      };
    case 'users':
      return withRef({ type: 'users', users: event.users }, event.ref);
    case 'error':
      return withRef(
        { type: 'error', code: event.code, message: TEXTS[lang].error(event.code, event.detail) },
        event.ref,
      );
    case 'notice':
      return { type: 'notice', code: event.code, message: TEXTS[lang].notice(event.code, event.detail) };
    case 'pong':
      return withRef({ type: 'pong' }, event.ref);
    case 'history':
      return historyHeader(event);
    case 'bye':
      return { type: 'bye', reason: event.reason };
  }
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM` in the server's local time. */
export function formatStamp(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** A stored message for plain users: `[YYYY-MM-DD HH:MM] name: text` (or `* name text`). */
export function historyLine(r: HistoryRecord): string {
  const body = r.type === 'message' ? `${r.from}: ${r.text}` : `* ${r.from} ${r.text}`;
  return `[${formatStamp(r.ts)}] ${body}`;
}

/** Header, one line per stored message, footer (PROTOCOL.md, "History"). */
function historyLines(event: HistoryEvent, t: Texts): string[] {
  const n = event.records.length;
  const query = event.query ?? '';
  if (n === 0) return [event.kind === 'search' ? t.searchNone(query) : t.historyNone];
  const header =
    event.kind === 'search'
      ? t.searchHeader(query, n)
      : event.kind === 'page'
        ? t.historyPageHeader(n)
        : t.historyHeader(n);
  const footer =
    event.kind === 'search' ? t.searchFooter : event.more ? t.historyFooterMore : t.historyFooter;
  return [header, ...event.records.map(historyLine), footer];
}

function historyHeader(event: HistoryEvent): ServerMessage {
  const m: ServerMessage = { type: 'history', kind: event.kind, count: event.records.length };
  if (event.kind === 'search') m.query = event.query ?? '';
  else m.more = event.more;
  return withRef(m, event.ref);
}

/** The JSON lines of a history event: its header, then each stored message marked `history: true`. */
function historyJson(event: HistoryEvent): Buffer {
  const lines = [JSON.stringify(historyHeader(event))];
  for (const r of event.records) {
    lines.push(
      JSON.stringify({ type: r.type, id: r.id, ts: r.ts, from: r.from, text: r.text, history: true }),
    );
  }
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

function withRef<T extends object>(m: T, ref: string | number | undefined): T {
  return ref === undefined ? m : { ...m, ref };
}

/** Encodes one server message as a JSON line. */
export function encodeJson(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message) + '\n', 'utf8');
}

function encodeUncached(event: ServerEvent, format: Format, lang: Lang): Uint8Array {
  if (format === 'json') {
    return event.type === 'history' ? historyJson(event) : encodeJson(jsonMessage(event, lang));
  }
  const lines = plainLines(event, lang);
  return lines.length === 0 ? EMPTY : Buffer.from(lines.join('\n') + '\n', 'utf8');
}

/**
 * The bytes of an event for one format and language. Encoded once per event and shared by
 * every recipient that speaks the same (the cache lives on the event object).
 */
export function encodeEvent(event: ServerEvent, format: Format, lang: Lang): Uint8Array {
  // A broadcast asks for the same event once per recipient, one after another: remember the last.
  if (event === last.event && format === last.format && lang === last.lang) return last.bytes;
  const bytes = encodeCached(event, format, lang);
  last.event = event;
  last.format = format;
  last.lang = lang;
  last.bytes = bytes;
  return bytes;
}

const last: { event: ServerEvent | null; format: Format; lang: Lang; bytes: Uint8Array } = {
  event: null,
  format: 'plain',
  lang: 'en',
  bytes: EMPTY,
};

function encodeCached(event: ServerEvent, format: Format, lang: Lang): Uint8Array {
  const key =
    format === 'json' && event.type !== 'error' && event.type !== 'notice'
      ? 'json'
      : CACHE_KEYS[format][lang];
  const cache = (event.encoded ??= {});
  let bytes = cache[key];
  if (bytes === undefined) {
    bytes = encodeUncached(event, format, lang);
    cache[key] = bytes;
  }
  return bytes;
}
