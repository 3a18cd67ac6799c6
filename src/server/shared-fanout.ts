import type { ServerEvent } from '../core/events.js';
import type { Fanout } from '../core/fanout.js';
import type { Room } from '../core/room.js';
import type { Session } from '../core/session.js';
import type { Encoder } from '../protocol/encoder.js';
import type { Format, Reader } from '../protocol/render.js';
import type { Lang } from '../protocol/texts.js';

/**
 * A connection whose share of the turn's room events is taken from the log when it writes (or
 * before anything else is queued for it), not pushed to it event by event.
 */
export interface SharedReader {
  /** Queues the log's events since the reader's last look that its view lets through. */
  settle(): void;
  /** Moves the reader past the log's newest event (which it is not to receive). */
  skip(): void;
  /** Makes sure the reader writes at the end of the turn. */
  markForFlush(): void;
  /** Forgets the view: rooms, current room, format or language are changing. */
  resetView(): void;
}

/**
 * What a reader sees of the log: its format, language, current room and rooms. Readers with the
 * same view share one object, and so one encoding of each turn's events.
 */
export class View implements Reader {
  /** The bytes last made for this view, and for which part of which turn's log. */
  turn = -1;
  from = 0;
  to = 0;
  bytes: Uint8Array = new Uint8Array(0);

  constructor(
    readonly format: Format,
    readonly lang: Lang,
    readonly currentRoom: string | null,
    readonly rooms: ReadonlySet<string>,
  ) {}
}

interface Entry {
  event: ServerEvent;
  room: string;
  /** For an event of several rooms (a leave, a rename): all of them; `room` is the first. */
  rooms: readonly string[] | null;
}

function isSharedReader(peer: unknown): peer is SharedReader {
  return typeof (peer as Partial<SharedReader>).settle === 'function';
}

/** Views kept before the table is emptied (each is small; the bound only stops unbounded growth). */
const MAX_VIEWS = 10_000;
/** Longest joins, parts and leaves may wait to go out with others (ms): see `toRoom`. */
export const NOTICE_DELAY_MS = 50;
/**
 * The wait per member of the room (ms): a notice's release costs a write per member, so a wait
 * in proportion keeps a storm's releases to a fixed share of the CPU in a room of any size,
 * while in a small room a join shows at once (1 ms in a room of 200, 50 ms from 10,000 on).
 */
const NOTICE_DELAY_MS_PER_MEMBER = 0.005;
/** Log entries past which waiting notices go out at once, so the log is emptied. */
const MAX_LOG_ENTRIES = 50_000;

/** Joins, parts and leaves: nobody is waiting for them, so they may wait to share a write. */
function isNotice(event: ServerEvent): boolean {
  return event.type === 'join' || event.type === 'part' || event.type === 'leave';
}

/**
 * The server's fanout: each turn's room events go into one log, once each, and every member's
 * output refers to it. When a member writes, the events of its rooms since its last look are
 * encoded and joined once per view, so a message to a room of a thousand costs one log entry and,
 * at the end of the turn, one shared buffer — not a thousand queue pushes. A member settles its
 * share before anything else is queued for it, and before its rooms change, so each connection
 * still gets everything in the order it happened (docs/ARCHITECTURE.md, "Output").
 *
 * Joins, parts and leaves do not make a room's members write: they go out with the next thing
 * that does, or after a wait that grows with the room. In a join storm each join would
 * otherwise cost one write per member; this way one write carries every join of the last few
 * milliseconds.
 */
export class SharedFanout implements Fanout {
  /** Bumped each time the log is emptied: a reader's position from an older turn means 0. */
  turn = 0;
  private entries: Entry[] = [];
  /** Rooms whose members were marked to write since the flush began. */
  private readonly active = new Set<Room>();
  /** Per room seen since the flush began: members whose peer takes events one by one. */
  private readonly direct = new Map<Room, Session[]>();
  /** Rooms with notices whose members have not been marked to write yet. */
  private readonly waiting = new Set<Room>();
  private waitTimer: NodeJS.Timeout | null = null;
  private readonly views = new Map<string, View>();
  private lengthAtFlush = 0;

  constructor(
    private readonly encoder: Encoder,
    private readonly noticeDelayMs = NOTICE_DELAY_MS,
  ) {}

  get length(): number {
    return this.entries.length;
  }

  /** Whether notices are waiting to go out. */
  get holding(): boolean {
    return this.waiting.size > 0;
  }

  toRoom(room: Room, event: ServerEvent, except?: Session): void {
    this.log({ event, room: room.name, rooms: null }, except);
    this.reach(room, event, except, isNotice(event));
  }

  toRooms(rooms: readonly Room[], event: ServerEvent, except?: Session): void {
    const first = rooms[0];
    if (first === undefined) return;
    this.log(
      { event, room: first.name, rooms: rooms.length === 1 ? null : rooms.map((r) => r.name) },
      except,
    );
    const notice = isNotice(event);
    if (rooms.length === 1) return this.reach(first, event, except, notice);
    const told = new Set<Session>();
    if (except) told.add(except);
    for (const room of rooms) {
      for (const s of this.directMembers(room)) {
        if (told.has(s)) continue;
        told.add(s);
        s.peer.send(event);
      }
      this.wake(room, notice);
    }
  }

  moving(session: Session): void {
    const peer = session.peer;
    if (isSharedReader(peer)) {
      peer.settle();
      peer.resetView();
      peer.markForFlush();
    } else {
      // Rare (peers that are not connections): the per-room lists are made again.
      this.active.clear();
      this.direct.clear();
    }
  }

  /** The view for these settings, shared by every reader that has them. */
  view(format: Format, lang: Lang, currentRoom: string | null, rooms: readonly string[]): View {
    const key = `${format}\n${lang}\n${currentRoom ?? ''}\n${rooms.join('\n')}`;
    let view = this.views.get(key);
    if (view === undefined) {
      if (this.views.size >= MAX_VIEWS) this.views.clear();
      view = new View(format, lang, currentRoom, new Set(rooms));
      this.views.set(key, view);
    }
    return view;
  }

  /** The log's events `[from, to)` that `view` lets through, encoded and joined. */
  bytesFor(view: View, from: number, to: number): Uint8Array {
    if (view.turn === this.turn && view.from === from && view.to === to) return view.bytes;
    const parts: Uint8Array[] = [];
    let size = 0;
    for (let i = from; i < to; i++) {
      const entry = this.entries[i] as Entry;
      if (entry.rooms === null ? !view.rooms.has(entry.room) : !entry.rooms.some((r) => view.rooms.has(r)))
        continue;
      const bytes = this.encoder.encode(entry.event, view.format, view);
      parts.push(bytes);
      size += bytes.length;
    }
    const bytes = parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts, size);
    view.turn = this.turn;
    view.from = from;
    view.to = to;
    view.bytes = bytes;
    return bytes;
  }

  /** The flusher starts writing: events logged from now on mark their rooms' members again. */
  flushStarting(): void {
    this.active.clear();
    this.direct.clear();
    this.lengthAtFlush = this.entries.length;
  }

  /**
   * Every marked connection has written: the log starts again, unless events came in meanwhile
   * or notices are waiting (their readers have yet to take them).
   */
  flushDone(): void {
    if (this.entries.length !== this.lengthAtFlush || this.waiting.size > 0) return;
    this.entries = [];
    this.turn++;
  }

  /** Stops the notices' timer (the server is stopping; what waits goes out with the last flush). */
  close(): void {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = null;
    this.release();
  }

  private log(entry: Entry, except: Session | undefined): void {
    const skipper = except && isSharedReader(except.peer) ? except.peer : null;
    skipper?.settle();
    this.entries.push(entry);
    skipper?.skip();
    if (this.entries.length > MAX_LOG_ENTRIES) this.release();
  }

  /** Gives `event` to the room's one-by-one members, and makes the others write (now or soon). */
  private reach(room: Room, event: ServerEvent, except: Session | undefined, notice: boolean): void {
    for (const s of this.directMembers(room)) if (s !== except) s.peer.send(event);
    this.wake(room, notice);
  }

  private wake(room: Room, notice: boolean): void {
    if (this.active.has(room)) return;
    if (!notice) return this.activate(room);
    this.waiting.add(room);
    if (this.waitTimer === null) {
      const delay = Math.min(this.noticeDelayMs, room.members.size * NOTICE_DELAY_MS_PER_MEMBER);
      this.waitTimer = setTimeout(this.onWaitOver, delay);
      this.waitTimer.unref();
    }
  }

  private readonly onWaitOver = (): void => {
    this.waitTimer = null;
    this.release();
  };

  /** Marks the members of every room with waiting notices to write. */
  private release(): void {
    const rooms = [...this.waiting];
    this.waiting.clear();
    for (const room of rooms) if (!this.active.has(room)) this.activate(room);
  }

  private activate(room: Room): void {
    this.active.add(room);
    this.waiting.delete(room);
    for (const s of room.members) if (isSharedReader(s.peer)) s.peer.markForFlush();
  }

  /** The room's members whose peers take events one by one (worked out once per flush). */
  private directMembers(room: Room): Session[] {
    let direct = this.direct.get(room);
    if (direct === undefined) {
      direct = [];
      for (const s of room.members) if (!isSharedReader(s.peer)) direct.push(s);
      this.direct.set(room, direct);
    }
    return direct;
  }
}
