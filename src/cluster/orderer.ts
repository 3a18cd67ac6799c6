/** One event off the wire: its id and its payload (JSON text). */
export interface Entry {
  id: number;
  payload: string;
}

/** Reads the log for ids `from`..`to` (to: Infinity for "up to the newest"), in order. */
export type RangeReader = (from: number, to: number) => Promise<Entry[]>;

/**
 * Hands events on in id order, each once: ids must follow one another. An id past the next
 * expected one means some were missed (pub/sub drops what a disconnected subscriber missed):
 * they are read from the log first. What the log no longer has is reported as lost, never
 * skipped silently.
 */
export class Orderer {
  private readonly waiting = new Map<number, string>();
  private filling = false;
  private again = false;

  constructor(
    /** The id of the last event handed on. */
    public last: number,
    private readonly deliver: (entry: Entry) => void,
    private readonly read: RangeReader,
    private readonly lost: (from: number, to: number) => void,
    private readonly failed: (err: Error) => void,
  ) {}

  /** An event off the channel. */
  push(id: number, payload: string): void {
    if (id <= this.last) return;
    if (id === this.last + 1 && !this.filling) {
      this.last = id;
      this.deliver({ id, payload });
      return this.drain();
    }
    this.waiting.set(id, payload);
    void this.fill();
  }

  /** Reads everything past `last` from the log (after a reconnection, or on a timer). */
  catchUp(): Promise<void> {
    return this.fill(true);
  }

  private drain(): void {
    for (let p = this.waiting.get(this.last + 1); p !== undefined; p = this.waiting.get(this.last + 1)) {
      this.waiting.delete(++this.last);
      this.deliver({ id: this.last, payload: p });
    }
  }

  private async fill(toNewest = false): Promise<void> {
    if (this.filling) {
      this.again ||= toNewest;
      return;
    }
    this.filling = true;
    try {
      do {
        const all = toNewest || this.again;
        this.again = false;
        const low = this.waiting.size > 0 ? Math.min(...this.waiting.keys()) : Infinity;
        const to = all ? Infinity : low - 1;
        if (to > this.last) await this.readRange(to, low);
        this.drain();
        toNewest = false;
      } while (this.again || this.hasGap());
    } catch (err) {
      this.failed(err as Error);
    } finally {
      this.filling = false;
    }
  }

  private hasGap(): boolean {
    return this.waiting.size > 0 && !this.waiting.has(this.last + 1);
  }

  private async readRange(to: number, low: number): Promise<void> {
    const entries = await this.read(this.last + 1, to);
    for (const e of entries) {
      if (e.id <= this.last) continue;
      if (e.id > this.last + 1) this.lost(this.last + 1, e.id - 1);
      this.last = e.id;
      this.waiting.delete(e.id);
      this.deliver(e);
    }
    // The log no longer holds what lies between: say so, and go on from the next event held.
    if (low !== Infinity && this.last < low - 1) {
      this.lost(this.last + 1, low - 1);
      this.last = low - 1;
    }
  }
}
