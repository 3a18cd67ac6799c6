import { roomKey } from '../core/names.js';

/** Room keys remembered per display name (`roomKey` normalises twice); cleared when this many. */
const MAX_CACHED_KEYS = 4096;

/** `roomKey`, remembered for the names seen most: every message recorded or stored needs one. */
export class RoomKeys {
  private readonly keys = new Map<string, string>();

  of(room: string): string {
    let key = this.keys.get(room);
    if (key === undefined) {
      if (this.keys.size >= MAX_CACHED_KEYS) this.keys.clear();
      key = roomKey(room);
      this.keys.set(room, key);
    }
    return key;
  }
}
