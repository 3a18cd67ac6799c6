import type { ErrorEvent, HistoryEvent, HistoryRecord, Ref } from './events.js';
import { sanitizeText } from './text.js';

/** Messages shown on join unless configured otherwise (`--history-replay`). */
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

/**
 * Stored public messages, as the core reads them (src/store implements it over SQLite). Reads
 * are synchronous, searches answer through a callback; a store failure is a value, not an
 * exception. Private messages are never in it.
 */
export interface HistorySource {
  /** The newest `limit` messages, oldest first. */
  recent(limit: number): HistoryResult;
  /** The newest `limit` messages with an id below `id`, oldest first. */
  before(id: number, limit: number): HistoryResult;
  /**
   * Messages matching every word of `query` (full text), best match first, at most `limit`,
   * given to `done` when they are found: a store may search on another thread, so that a costly
   * search never holds up the chat.
   */
  searchLater(query: string, limit: number, done: (result: HistoryResult) => void): void;
}

type HistoryAction = { type: 'history'; before?: number; limit?: number; ref?: Ref };
type SearchAction = { type: 'search'; query: string; limit?: number; ref?: Ref };

/**
 * Answers history requests for the hub: the replay on join and the `history`/`search` actions.
 * Remembers, per user, the oldest message shown, so `/history` pages back from there.
 */
export class HistoryDesk {
  /** Per session: the id of the oldest message this user was shown from history. */
  private readonly oldestShown = new WeakMap<object, number>();

  constructor(
    private readonly source: HistorySource | undefined,
    private readonly replayCount: number,
  ) {}

  /** The replay for a user who just joined, or null when there is nothing to show. */
  replay(who: object): HistoryEvent | ErrorEvent | null {
    if (!this.source || this.replayCount <= 0) return null;
    const result = this.source.recent(this.replayCount + 1);
    if (!result.ok) return unavailable(result.reason);
    if (result.records.length === 0) return null;
    return this.page(who, 'replay', result.records, this.replayCount);
  }

  /**
   * Answers a `history` or `search` request through `reply`: at once, or for a search when the
   * source has found the matches (other events may go out to the user in between).
   */
  answer(
    who: object,
    action: HistoryAction | SearchAction,
    reply: (event: HistoryEvent | ErrorEvent) => void,
  ): void {
    const { ref } = action;
    const source = this.source;
    if (!source) return reply({ type: 'error', code: 'HISTORY_UNAVAILABLE', detail: { kind: 'none' }, ref });
    if (action.type === 'search') {
      const limit = Math.min(action.limit ?? DEFAULT_SEARCH_RESULTS, MAX_SEARCH_RESULTS);
      const query = sanitizeText(action.query.trim()).slice(0, MAX_QUERY_ECHO_CHARS);
      const done = (result: HistoryResult) =>
        reply(
          result.ok
            ? withRef({ type: 'history', kind: 'search', records: result.records, more: false, query }, ref)
            : unavailable(result.reason, ref),
        );
      return source.searchLater(action.query, limit, done);
    }
    const limit = Math.min(action.limit ?? DEFAULT_HISTORY_PAGE, MAX_HISTORY_PAGE);
    const before = action.before ?? this.oldestShown.get(who);
    const result = before === undefined ? source.recent(limit + 1) : source.before(before, limit + 1);
    reply(
      result.ok
        ? withRef(this.page(who, 'page', result.records, limit), ref)
        : unavailable(result.reason, ref),
    );
  }

  /** Keeps the newest `limit` of `records` (asked for one more, to learn whether older exist). */
  private page(who: object, kind: 'replay' | 'page', records: HistoryRecord[], limit: number): HistoryEvent {
    const more = records.length > limit;
    const shown = more ? records.slice(records.length - limit) : records;
    const first = shown[0];
    if (first !== undefined) this.oldestShown.set(who, first.id);
    return { type: 'history', kind, records: shown, more };
  }
}

function withRef(event: HistoryEvent, ref: Ref | undefined): HistoryEvent {
  return ref === undefined ? event : { ...event, ref };
}

/** The store failed to read (an I/O error): history is unavailable for now, the chat goes on. */
function unavailable(reason: string, ref?: Ref): ErrorEvent {
  return { type: 'error', code: 'HISTORY_UNAVAILABLE', detail: { kind: 'text', text: reason }, ref };
}
