import { OfferRefused } from './offer-queue.js';
import type { FileMessage } from './messages.js';

const PREFIX = 'lookup ';

/** Whether a ref is that of a file lookup (`lookup N`). */
const isLookupRef = (ref: unknown): ref is string => typeof ref === 'string' && ref.startsWith(PREFIX);

interface Pending {
  id: number;
  resolve(file: FileMessage): void;
  reject(err: Error): void;
}

/**
 * `/get ID` for a file this session did not see (it joined later, or reconnected): asks the
 * server for the `file` event again (`file_lookup`, docs/PROTOCOL.md "Files"). Answered by the
 * `file` event with that id, or an error with the lookup's ref; sent again after a reconnect.
 */
export class LookupQueue {
  private seq = 0;
  private waiting: Array<[string, Pending]> = [];
  private readonly inflight = new Map<string, Pending>();

  add(id: number): Promise<FileMessage> {
    return new Promise((resolve, reject) => {
      this.waiting.push([`${PREFIX}${++this.seq}`, { id, resolve, reject }]);
    });
  }

  /** The lookups to write now, each with its ref. */
  takeSendable(): Array<{ type: 'file_lookup'; id: number; ref: string }> {
    const out = this.waiting.map(([ref, p]) => {
      this.inflight.set(ref, p);
      return { type: 'file_lookup' as const, id: p.id, ref };
    });
    this.waiting = [];
    return out;
  }

  /** A `file` event: resolves the lookups of its id. */
  answer(file: FileMessage): void {
    for (const [ref, p] of this.inflight) {
      if (p.id !== file.id) continue;
      this.inflight.delete(ref);
      p.resolve(file);
    }
  }

  /** An `error` with a lookup's ref: rejects it; false when the ref is not a lookup's. */
  refuse(ref: unknown, code: string, message: string): boolean {
    if (!isLookupRef(ref)) return false;
    const p = this.inflight.get(ref);
    this.inflight.delete(ref);
    p?.reject(new OfferRefused(code, message));
    return true;
  }

  /** After a lost connection: unanswered lookups go out again. */
  requeue(): void {
    this.waiting = [...this.inflight.entries(), ...this.waiting];
    this.inflight.clear();
  }

  /** The session ended: every lookup fails with `err`. */
  failAll(err: Error): void {
    for (const [, p] of [...this.waiting, ...this.inflight.entries()]) p.reject(err);
    this.waiting = [];
    this.inflight.clear();
  }
}
