import type { ServerMessage } from '../protocol/json-messages.js';
import { roomKey } from './rooms.js';

/** A server message and the line it came in, as the session passes them on. */
export interface Received {
  message: ServerMessage;
  line: string;
}

type HistoryHeader = Extract<ServerMessage, { type: 'history' }>;

/**
 * One history replay after a reconnect, with what the client has shown already taken out. The
 * client asks for messages after `since` (its last id seen); a server that ignores `since`
 * replays them all again, so the header is held until its records have come, the records at or
 * below `since` are dropped, and the header is passed on with the new count, or not at all
 * when nothing is left. No socket inside.
 */
export class ReplayFilter {
  private left: number;
  private readonly kept: Received[] = [];

  constructor(
    private readonly header: HistoryHeader,
    private readonly headerLine: string,
    private readonly since: number,
  ) {
    this.left = header.count;
  }

  /** True once every record the header announced has come (or something else came instead). */
  get done(): boolean {
    return this.left <= 0;
  }

  /**
   * Takes the next message after the header; returns what to pass on now, in order: nothing
   * while records are still due, then the header and the records to keep.
   */
  push(r: Received): Received[] {
    const m = r.message;
    if ((m.type === 'message' || m.type === 'action') && m.history) {
      this.left--;
      if (m.id > this.since) this.kept.push(r);
      return this.left > 0 ? [] : this.flush();
    }
    // The replay ended early: pass on what it held, then this message.
    this.left = 0;
    return [...this.flush(), r];
  }

  /** What is held, now (the replay is over, or the connection closed). */
  flush(): Received[] {
    this.left = 0;
    if (this.kept.length === 0) return [];
    const kept = this.kept.splice(0);
    if (kept.length === this.header.count) return [{ message: this.header, line: this.headerLine }, ...kept];
    const header: HistoryHeader = { ...this.header, count: kept.length };
    return [{ message: header, line: JSON.stringify(header) }, ...kept];
  }
}

/**
 * Where a session resumes after a reconnect (issue #17): the highest event id it has seen, sent
 * as `since` in `hello`/`join`, and the filter for the replay that answers it.
 */
export class Resumption {
  /** The highest event id seen (a message, an ack, a join …). */
  lastId: number | null = null;
  /**
   * The id each replay still to come on this connection resumes after, by room key; '' for
   * the replay that follows `welcome` (the `since` of `hello` or `join`, sent before the client
   * knows which room the server puts it in).
   */
  private readonly pending = new Map<string, number>();
  private replay: ReplayFilter | null = null;
  private afterWelcome = false;

  /** A new connection: nothing is pending on it yet. */
  reset(): void {
    this.pending.clear();
    this.replay = null;
    this.afterWelcome = false;
  }

  /**
   * The `since` to send (and expect a filtered replay for) when joining the chat, or `room`
   * again; undefined before any event.
   */
  since(room?: string): number | undefined {
    if (this.lastId === null) return undefined;
    this.pending.set(room === undefined ? '' : roomKey(room), this.lastId);
    return this.lastId;
  }

  /** Takes every server message in order; returns those to pass on now, in order. */
  receive(r: Received): Received[] {
    const m = r.message;
    if ('id' in m && (this.lastId === null || m.id > this.lastId)) this.lastId = m.id;
    if (this.replay) {
      const out = this.replay.push(r);
      if (this.replay.done) this.replay = null;
      return out;
    }
    const afterWelcome = this.afterWelcome;
    this.afterWelcome = m.type === 'welcome';
    if (m.type === 'history' && m.kind === 'replay') {
      const room = m.room;
      const key =
        room !== undefined && this.pending.has(roomKey(room)) ? roomKey(room) : afterWelcome ? '' : null;
      const since = key === null ? undefined : this.pending.get(key);
      if (key !== null && since !== undefined) {
        this.pending.delete(key);
        const replay = new ReplayFilter(m, r.line, since);
        if (!replay.done) this.replay = replay;
        return [];
      }
    }
    // The `since` of joining covers only the replay right after `welcome`: a room joined later
    // gets its whole replay.
    if (afterWelcome) this.pending.delete('');
    return [r];
  }

  /** The connection closed: whatever a replay still held. */
  flush(): Received[] {
    const held = this.replay?.flush() ?? [];
    this.replay = null;
    return held;
  }
}
