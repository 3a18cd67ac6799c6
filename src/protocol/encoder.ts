import type { ServerEvent } from '../core/events.js';
import { encodeFor, isOtherRoom, roomOfEvent, type Format, type Reader } from './render.js';
import type { Lang } from './texts.js';

/** Cache keys as constant strings: building one per recipient was a hot spot in fan-out profiles. */
const PLAIN_KEYS: Record<Lang, { here: string; other: string }> = {
  en: { here: 'plain:en', other: 'plain:en:other' },
  pt: { here: 'plain:pt', other: 'plain:pt:other' },
};

/** Events that go to many readers at once (the others have one reader: no cache). */
function isShared(event: ServerEvent): boolean {
  switch (event.type) {
    case 'message':
    case 'action':
    case 'join':
    case 'part':
    case 'leave':
    case 'nick':
    case 'topic':
    case 'presence':
      return true;
    default:
      return false;
  }
}

/**
 * Encodes events for readers, each shared event once per format, language and room view (the
 * reader's current room or another), however many readers it has: a broadcast is encoded once,
 * not once per recipient. The cache is the encoder's, keyed weakly by event, so the core's events
 * stay plain data.
 */
export class Encoder {
  private readonly cache = new WeakMap<ServerEvent, Record<string, Uint8Array>>();
  // A broadcast asks for the same event once per recipient, one after another: what the event
  // is (shared or not, its room) is worked out once, and the last bytes are remembered.
  private lastEvent: ServerEvent | null = null;
  private lastShared = false;
  private lastRoom: string | undefined = undefined;
  private lastKey = '';
  private lastBytes: Uint8Array = new Uint8Array(0);

  encode(event: ServerEvent, format: Format, reader: Reader): Uint8Array {
    if (event !== this.lastEvent) {
      this.lastEvent = event;
      this.lastShared = isShared(event);
      this.lastRoom = roomOfEvent(event);
      this.lastKey = '';
    }
    if (!this.lastShared) return encodeFor(event, format, reader);
    const room = this.lastRoom;
    const key =
      format === 'json'
        ? 'json'
        : PLAIN_KEYS[reader.lang][isOtherRoom(room, reader.currentRoom) ? 'other' : 'here'];
    if (key === this.lastKey) return this.lastBytes;
    let entry = this.cache.get(event);
    if (entry === undefined) {
      entry = {};
      this.cache.set(event, entry);
    }
    let bytes = entry[key];
    if (bytes === undefined) {
      bytes = encodeFor(event, format, reader);
      entry[key] = bytes;
    }
    this.lastKey = key;
    this.lastBytes = bytes;
    return bytes;
  }
}
