import { roomKey } from './names.js';
import { skeleton } from './skeleton.js';
import type { Session } from './session.js';
import type { RoomSummary } from './events.js';

/** One room: its members on this node, in join order, and its topic. */
export class Room {
  readonly key: string;
  readonly members = new Set<Session>();
  topic = '';
  topicBy = '';
  topicTs = 0;

  constructor(readonly name: string) {
    this.key = roomKey(name);
  }

  /** Every member's name, in join order. */
  memberNames(): string[] {
    return Array.from(this.members, (s) => s.name as string);
  }

  /** The first `limit` members' names: what a joiner is shown, at a cost that does not grow with the room. */
  firstNames(limit: number): string[] {
    const names: string[] = [];
    for (const s of this.members) {
      if (names.length >= limit) break;
      names.push(s.name as string);
    }
    return names;
  }

  summary(): RoomSummary {
    return { room: this.name, users: this.members.size, topic: this.topic };
  }
}

/** The rooms of this node, by key: a room exists while it has members. */
export class Rooms {
  private readonly byKey = new Map<string, Room>();
  /** The same rooms by the exact names asked for, so the hot path skips `roomKey`. */
  private readonly byName = new Map<string, Room>();
  /** Every room's name that is or was, by confusable skeleton: a look-alike room is refused. */
  private readonly skeletons = new Map<string, string>();

  constructor(
    /** Saved spelling and topic of rooms that had been created before (by key). */
    private readonly saved: Map<string, { name: string; topic: string; topicBy: string; topicTs: number }>,
  ) {
    for (const r of saved.values()) this.skeletons.set(skeleton(r.name), r.name);
  }

  /** The room (existing or remembered) whose name looks like `name` but is another room, if any. */
  lookAlike(name: string): string | undefined {
    const found = this.skeletons.get(skeleton(name));
    return found !== undefined && roomKey(found) !== roomKey(name) ? found : undefined;
  }

  get size(): number {
    return this.byKey.size;
  }

  get(name: string): Room | undefined {
    const cached = this.byName.get(name);
    if (cached) return cached;
    const room = this.byKey.get(roomKey(name));
    if (room && this.byName.size < 4 * this.byKey.size + 64) this.byName.set(name, room);
    return room;
  }

  /** The name a room goes by: its own if it exists or existed before, else `name` as asked. */
  displayName(name: string): string {
    const key = roomKey(name);
    return this.byKey.get(key)?.name ?? this.saved.get(key)?.name ?? name;
  }

  /**
   * The room called `name`, created if it does not exist; a room created before keeps its first
   * spelling and its topic. `created` says whether this call made it.
   */
  open(name: string): { room: Room; created: boolean } {
    const key = roomKey(name);
    const existing = this.byKey.get(key);
    if (existing) return { room: existing, created: false };
    const saved = this.saved.get(key);
    const room = new Room(saved?.name ?? name);
    if (!this.skeletons.has(skeleton(room.name))) this.skeletons.set(skeleton(room.name), room.name);
    if (saved) {
      room.topic = saved.topic;
      room.topicBy = saved.topicBy;
      room.topicTs = saved.topicTs;
    }
    this.byKey.set(key, room);
    return { room, created: saved === undefined };
  }

  /** Remembers a room's spelling and topic after it empties. */
  private remember(room: Room): void {
    this.saved.set(room.key, {
      name: room.name,
      topic: room.topic,
      topicBy: room.topicBy,
      topicTs: room.topicTs,
    });
  }

  /** Drops a room that has no members left (its spelling and topic stay remembered). */
  dropIfEmpty(room: Room): void {
    if (room.members.size > 0 || this.byKey.get(room.key) !== room) return;
    this.remember(room);
    this.byKey.delete(room.key);
    for (const [name, r] of this.byName) if (r === room) this.byName.delete(name);
  }

  /** Rooms with members, most members first, then by name. */
  list(): RoomSummary[] {
    return Array.from(this.byKey.values(), (r) => r.summary()).sort(
      (a, b) => b.users - a.users || a.room.localeCompare(b.room),
    );
  }
}
