import type { ErrorEvent, HistoryEvent, HistoryRecord, Ref } from './events.js';
import { sanitizeText } from './text.js';

/** Messages shown on entering a room unless configured otherwise (`--history-replay`). */
export const DEFAULT_HISTORY_REPLAY = 50;
/** Messages per `/history` page unless the user asks for another number. */
export const DEFAULT_HISTORY_PAGE = 20;
/** Most messages one `/history` request returns. */
export const MAX_HISTORY_PAGE = 200;
/** Matches a `/search` returns unless the user asks for another number. */
export const DEFAULT_SEARCH_RESULTS = 20;
/** Most matches one `/search` request returns. */
export const MAX_SEARCH_RESULTS = 100;
/** Longest search query shown back to the user, in characters. */
const MAX_QUERY_ECHO_CHARS = 200;

/** What a history lookup gives: records, or why the store could not answer. */
export type HistoryResult = { ok: true; records: HistoryRecord[] } | { ok: false; reason: string };

/** The replay's records, and whether older ones (newer than `since`, if given) exist before them. */
export type RecentResult =
  { ok: true; records: HistoryRecord[]; more: boolean } | { ok: false; reason: string };

/** A room as the store keeps it across restarts: its name as first spelled, and its topic. */
export interface SavedRoom {
  /** Display name, e.g. `#Rust` (rooms compare by `roomKey`). */
  name: string;
  topic: string;
  /** Who set the topic, and when (ms); empty/0 when never set. */
  topicBy: string;
  topicTs: number;
}

/**
 * Stored public messages, as the core reads them (src/store implements it over SQLite). No read
 * ever blocks the event loop: `recent` answers from memory, the others through a callback (the
 * store may look on another thread). A store failure is a value, not an exception. Private
 * messages are never in it. Rooms are named by display name; the store compares them by
 * `roomKey`. Messages stored before rooms existed belong to the default room.
 */
export interface HistorySource {
  /**
   * The newest `limit` messages of `room`, oldest first, from memory (the replay on entering a
   * room must go out before any live event). With `since`, only messages with an id above it.
   * `more`: older messages (above `since`, if given) exist before the first record.
   */
  recent(room: string, limit: number, since?: number): RecentResult;
  /** The newest `limit` messages of `room` with an id below `before`, oldest first. */
  beforeLater(room: string, before: number, limit: number, done: (result: HistoryResult) => void): void;
  /**
   * Messages of any of `rooms` matching every word of `query` (full text), best match first,
   * at most `limit`, given to `done` when they are found.
   */
  searchLater(rooms: string[], query: string, limit: number, done: (result: HistoryResult) => void): void;
}

/** Rooms kept across restarts (their spelling and topic), beside their messages. */
export interface RoomStore {
  /** Every room saved so far. */
  savedRooms(): SavedRoom[];
  /** Saves a room when it is created and whenever its topic changes (written in the background). */
  saveRoom(room: SavedRoom): void;
}

type HistoryAction = { before?: number; limit?: number; ref?: Ref };
type SearchAction = { query: string; limit?: number; ref?: Ref };
type Reply = (event: HistoryEvent | ErrorEvent) => void;

/**
 * Answers history requests for the hub: the replay on entering a room and the
 * `history`/`search` actions. Remembers, per user and room, the oldest message shown, so
 * `/history` pages back from there.
 */
export class HistoryDesk {
  /** Per session: room key -> the id of the oldest message this user was shown there. */
  private readonly oldestShown = new WeakMap<object, Map<string, number>>();

  constructor(
    private readonly source: HistorySource | undefined,
    private readonly replayCount: number,
  ) {}

  /** The replay for a user who entered `room`, or null when there is nothing to show. */
  replay(who: object, room: string, key: string, since?: number): HistoryEvent | ErrorEvent | null {
    if (!this.source || this.replayCount <= 0) return null;
    const result = this.source.recent(room, this.replayCount, since);
    if (!result.ok) return unavailable(result.reason);
    if (result.records.length === 0) return null;
    this.remember(who, key, result.records);
    return { type: 'history', kind: 'replay', room, records: result.records, more: result.more };
  }

  /** Forgets what a user was shown in a room it left. */
  forget(who: object, key: string): void {
    this.oldestShown.get(who)?.delete(key);
  }

  /** Answers a `history` request for `room` through `reply`, when the store has read the page. */
  page(who: object, room: string, key: string, action: HistoryAction, reply: Reply): void {
    const { ref } = action;
    const source = this.source;
    if (!source) return reply(off(ref));
    const limit = Math.min(action.limit ?? DEFAULT_HISTORY_PAGE, MAX_HISTORY_PAGE);
    const before = action.before ?? this.oldestShown.get(who)?.get(key);
    const answer = (records: HistoryRecord[], more: boolean): void => {
      this.remember(who, key, records);
      reply(withRef({ type: 'history', kind: 'page', room, records, more }, ref));
    };
    if (before === undefined) {
      const result = source.recent(room, limit);
      return result.ok ? answer(result.records, result.more) : reply(unavailable(result.reason, ref));
    }
    // One more than asked for, to learn whether older ones exist.
    source.beforeLater(room, before, limit + 1, (result) => {
      if (!result.ok) return reply(unavailable(result.reason, ref));
      const more = result.records.length > limit;
      answer(more ? result.records.slice(result.records.length - limit) : result.records, more);
    });
  }

  /** Answers a `search` over `rooms` through `reply`, when the store has found the matches. */
  search(rooms: string[], action: SearchAction, reply: Reply): void {
    const { ref } = action;
    if (!this.source) return reply(off(ref));
    const limit = Math.min(action.limit ?? DEFAULT_SEARCH_RESULTS, MAX_SEARCH_RESULTS);
    const query = sanitizeText(action.query.trim()).slice(0, MAX_QUERY_ECHO_CHARS);
    this.source.searchLater(rooms, action.query, limit, (result) =>
      reply(
        result.ok
          ? withRef({ type: 'history', kind: 'search', records: result.records, more: false, query }, ref)
          : unavailable(result.reason, ref),
      ),
    );
  }

  private remember(who: object, key: string, records: HistoryRecord[]): void {
    const first = records[0];
    if (first === undefined) return;
    let rooms = this.oldestShown.get(who);
    if (!rooms) this.oldestShown.set(who, (rooms = new Map()));
    rooms.set(key, first.id);
  }
}

function withRef(event: HistoryEvent, ref: Ref | undefined): HistoryEvent {
  return ref === undefined ? event : { ...event, ref };
}

function off(ref: Ref | undefined): ErrorEvent {
  return { type: 'error', code: 'HISTORY_UNAVAILABLE', detail: { kind: 'none' }, ref };
}

/** The store failed to read (an I/O error): history is unavailable for now, the chat goes on. */
function unavailable(reason: string, ref?: Ref): ErrorEvent {
  return { type: 'error', code: 'HISTORY_UNAVAILABLE', detail: { kind: 'text', text: reason }, ref };
}
