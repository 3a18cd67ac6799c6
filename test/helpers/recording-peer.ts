import type { ServerEvent } from '../../src/core/events.js';
import type { Peer } from '../../src/core/hub.js';

/** A Peer that records what the hub sends it: the core's "screen" in unit tests. */
export class RecordingPeer implements Peer {
  events: ServerEvent[] = [];
  closed = false;
  send(event: ServerEvent): void {
    this.events.push(event);
  }
  close(): void {
    this.closed = true;
  }
  /** Removes and returns what was received so far. */
  take(): ServerEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }
  types(): string[] {
    return this.take().map((e) => e.type);
  }
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000): { t: number; now(): number } {
  return {
    t: start,
    now() {
      return this.t;
    },
  };
}
