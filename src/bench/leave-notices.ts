/**
 * Counting the departures an observer is told about, in whatever form the server tells them:
 * papo's plain notice (`*** NAME left the chat (…).`, or `saiu do chat` in Portuguese), its busy
 * room summary (`*** 12 people left: …`, `*** 12 pessoas saíram: …`), the JSON `leave` and `presence` events, and the bare
 * `* NAME left` of the C ceiling server (`ideal-c`). Pure: a line in, a count out.
 */

/** papo's busy-room summary of leaves, in English or Portuguese. */
const SUMMARY = /^\*\*\* ([\d,]+) (?:person left|people left|pessoa saiu|pessoas saíram): /;
/** papo's JSON events that can tell a leave, told apart by their start (no JSON.parse otherwise). */
const JSON_LEAVE = '{"type":"leave"';
const JSON_PRESENCE = '{"type":"presence"';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Counts leave notices about the bench's own users (named `PREFIX-<n>`) in one line each. */
export class LeaveNoticeCounter {
  private readonly perUser: RegExp;
  private readonly namePrefix: string;

  constructor(prefix: string) {
    this.namePrefix = `${prefix}-`;
    const name = `${escapeRegExp(prefix)}-\\d+`;
    // papo: `*** NAME left the chat…` / `*** NAME saiu do chat…`; ideal-c: `* NAME left`.
    this.perUser = new RegExp(`^(?:\\*\\*\\* ${name} (?:left|saiu do) (?:the )?chat\\b|\\* ${name} left$)`);
  }

  /** How many of the bench's users this line says have left (0 for anything else). */
  count(line: string): number {
    if (line.startsWith('{')) return this.countJson(line);
    if (!line.startsWith('*')) return 0;
    const summary = SUMMARY.exec(line);
    if (summary) return Number(summary[1]!.replace(/,/g, ''));
    return this.perUser.test(line) ? 1 : 0;
  }

  private countJson(line: string): number {
    if (!line.startsWith(JSON_LEAVE) && !line.startsWith(JSON_PRESENCE)) return 0;
    let event: { type?: unknown; name?: unknown; leftCount?: unknown };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return 0;
    }
    if (event.type === 'leave') {
      return typeof event.name === 'string' && event.name.startsWith(this.namePrefix) ? 1 : 0;
    }
    if (event.type === 'presence' && typeof event.leftCount === 'number' && event.leftCount > 0) {
      return Math.floor(event.leftCount);
    }
    return 0;
  }
}

/** The name a join notice is about (`*** NAME joined…`, `* NAME joined`), or null. */
export function joinNoticeName(line: string): string | null {
  const m = /^\*{1,3} (\S+) joined\b/.exec(line);
  return m ? m[1]! : null;
}
