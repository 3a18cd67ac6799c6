import type { HistoryRecord } from '../core/events.js';
import type { SavedRoom } from '../core/history.js';

/**
 * The history journal's line format: one JSON array per line, appended only.
 * - `[id,ts,kind,from,text,room]`: a message or action (`room`: its display name);
 * - `[id,ts,kind,from,text]`: the same, written before rooms existed (it belongs to the default room);
 * - `[nextId]`: where event ids continue;
 * - `["room",stamp,name,topic,topicBy,topicTs]`: a room saved (created, or its topic set).
 * A line counts once its `\n` is written, so a write cut short by `kill -9` is skipped.
 */

/** A saved room as journaled: `stamp` orders saves of one room (the newest wins, see RoomSave). */
export interface RoomSave extends SavedRoom {
  /**
   * Where event ids stood when it was saved (the id the next event would get): saves of a room
   * replayed from the journal never overwrite a newer one already stored.
   */
  stamp: number;
}

/** Characters a JSON string cannot hold as they are; with `u`, a lone surrogate (a pair is fine). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/u;

/** `s` as a JSON string: most texts need no escaping, and quoting them costs half of JSON.stringify. */
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** One record as a journal line, without its `\n`. */
export function encodeRecord(r: HistoryRecord): string {
  return `[${r.id},${r.ts},"${r.type}",${quote(r.from)},${quote(r.text)},${quote(r.room)}]`;
}

/** The line saying event ids continue at `nextId`, without its `\n`. */
export function encodeNextId(nextId: number): string {
  return `[${nextId}]`;
}

/** The line saving a room, without its `\n`. */
export function encodeRoom(r: RoomSave): string {
  return JSON.stringify(['room', r.stamp, r.name, r.topic, r.topicBy, r.topicTs]);
}

/**
 * What a journal holds: its records and room saves in the order written, and the highest next id
 * seen (0: none).
 */
export interface JournalContents {
  records: HistoryRecord[];
  rooms: RoomSave[];
  nextId: number;
}

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function decodeRecord(v: unknown[], legacyRoom: string): HistoryRecord | null {
  // Read by index, not destructured: the worker decodes every message, and destructuring an
  // array goes through its iterator (measured: ~0.2 µs a message more, of ~1).
  const id = v[0];
  const ts = v[1];
  const type = v[2];
  const from = v[3];
  const text = v[4];
  const room = v.length === 6 ? v[5] : legacyRoom;
  if (!isId(id) || !Number.isSafeInteger(ts) || typeof from !== 'string' || typeof text !== 'string')
    return null;
  if (typeof room !== 'string' || (type !== 'message' && type !== 'action')) return null;
  return { type, id, ts: ts as number, room, from, text };
}

function decodeRoom(v: unknown[]): RoomSave | null {
  const [, stamp, name, topic, topicBy, topicTs] = v;
  if (!isId(stamp) || typeof name !== 'string' || typeof topic !== 'string') return null;
  if (typeof topicBy !== 'string' || !Number.isSafeInteger(topicTs)) return null;
  return { stamp, name, topic, topicBy, topicTs: topicTs as number };
}

/**
 * Decodes the complete lines of `text`; a line that is not a journal line is skipped. Records
 * written before rooms existed get `legacyRoom`.
 */
export function decodeJournal(text: string, legacyRoom = ''): JournalContents {
  const out: JournalContents = { records: [], rooms: [], nextId: 0 };
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    const line = text.slice(start, nl);
    start = nl + 1;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue; // torn or damaged: the lines around it still count
    }
    if (!Array.isArray(v)) continue;
    if (v.length === 1 && isId(v[0])) out.nextId = Math.max(out.nextId, v[0]);
    else if (v.length === 6 && v[0] === 'room') {
      const room = decodeRoom(v);
      if (room) out.rooms.push(room);
    } else if (v.length === 5 || v.length === 6) {
      const record = decodeRecord(v, legacyRoom);
      if (record) out.records.push(record);
    }
  }
  return out;
}
