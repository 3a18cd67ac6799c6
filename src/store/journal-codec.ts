import type { HistoryRecord } from '../core/events.js';

/**
 * The history journal's line format: one JSON array per line, `[id,ts,kind,from,text]` for a
 * message or action, `[nextId]` for where event ids continue. Lines are only ever appended;
 * a line counts once its `\n` is written, so a write cut short by `kill -9` is skipped.
 */

/** Characters a JSON string cannot hold as they are; with `u`, a lone surrogate (a pair is fine). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/u;

/** `s` as a JSON string: most texts need no escaping, and quoting them costs half of JSON.stringify. */
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** One record as a journal line, without its `\n`. */
export function encodeRecord(r: HistoryRecord): string {
  return `[${r.id},${r.ts},"${r.type}",${quote(r.from)},${quote(r.text)}]`;
}

/** The line saying event ids continue at `nextId`, without its `\n`. */
export function encodeNextId(nextId: number): string {
  return `[${nextId}]`;
}

/** What a journal holds: its records in the order written, and the highest next id seen (0: none). */
export interface JournalContents {
  records: HistoryRecord[];
  nextId: number;
}

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Decodes the complete lines of `text`; a line that is not a journal line is skipped. */
export function decodeJournal(text: string): JournalContents {
  const out: JournalContents = { records: [], nextId: 0 };
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
    else if (v.length === 5) {
      const [id, ts, type, from, text] = v as unknown[];
      if (!isId(id) || !Number.isSafeInteger(ts) || typeof from !== 'string' || typeof text !== 'string')
        continue;
      if (type === 'message' || type === 'action')
        out.records.push({ type, id, ts: ts as number, from, text });
    }
  }
  return out;
}
