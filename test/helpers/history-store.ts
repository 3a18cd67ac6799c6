import assert from 'node:assert/strict';
import type { HistoryRecord, MessageEvent } from '../../src/core/events.js';
import type { HistoryResult, RecentResult } from '../../src/core/history.js';
import { SqliteHistory, type SqliteHistoryOptions } from '../../src/store/index.js';

/** The default room, as the store assumes it unless told otherwise. */
export const GERAL = '#geral';
/** A time in November 2026, plus `id` ms. */
export const T0 = 1_764_000_000_000;
/** No upper bound on ids, for a page of a room's newest messages. */
export const NEWEST = Number.MAX_SAFE_INTEGER;
const WAIT_MS = 10_000;

/** Opens a store closed when the test ends. */
export function openStore(
  t: { after(fn: () => void): void },
  file: string,
  options?: SqliteHistoryOptions,
): SqliteHistory {
  const store = SqliteHistory.open(file, options);
  t.after(() => store.close());
  return store;
}

/** A public message (in the default room unless told). */
export function msg(
  id: number,
  text = `m${id}`,
  { from = 'ana', room = GERAL, ts = T0 + id }: { from?: string; room?: string; ts?: number } = {},
): MessageEvent {
  return { type: 'message', id, ts, room, from, text };
}

export function records(result: HistoryResult | RecentResult): HistoryRecord[] {
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.records;
}

export const ids = (result: HistoryResult | RecentResult): number[] => records(result).map((r) => r.id);

/** `beforeLater` as a promise. */
export function page(
  store: SqliteHistory,
  room: string,
  before: number,
  limit: number,
): Promise<HistoryResult> {
  return new Promise((resolve) => store.beforeLater(room, before, limit, resolve));
}

/** `searchLater` as a promise. */
export function search(
  store: SqliteHistory,
  rooms: string[],
  query: string,
  limit: number,
): Promise<HistoryResult> {
  return new Promise((resolve) => store.searchLater(rooms, query, limit, resolve));
}

export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Polls once per event-loop turn until `done`; the deadline is a safety net, not a wait. */
export async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!done()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await nextTurn();
  }
}

/** Whether a replay says older messages exist. */
export function more(result: RecentResult): boolean {
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.more;
}
