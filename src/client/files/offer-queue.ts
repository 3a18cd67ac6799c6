import type { FileOfferRequest, UploadSlotMessage } from './messages.js';

/** The answer to a `file_offer` that the server refused (`FILES_OFF`, `FILE_TOO_BIG` …). */
export class OfferRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const PREFIX = 'file ';

/** Whether a ref is that of a file offer (the session's other refs are numbers). */
export const isOfferRef = (ref: unknown): ref is string => typeof ref === 'string' && ref.startsWith(PREFIX);

interface Pending {
  request: FileOfferRequest;
  resolve(slot: UploadSlotMessage): void;
  reject(err: Error): void;
}

/**
 * File offers waiting for their upload slot, matched by a `file N` ref. Like the session's
 * other requests they go out once joined, and again after a reconnect until answered.
 */
export class OfferQueue {
  private seq = 0;
  private waiting: Array<[string, Pending]> = [];
  private readonly inflight = new Map<string, Pending>();

  add(request: FileOfferRequest): Promise<UploadSlotMessage> {
    return new Promise((resolve, reject) => {
      this.waiting.push([`${PREFIX}${++this.seq}`, { request, resolve, reject }]);
    });
  }

  /** The offers to write now, each with its ref. */
  takeSendable(): Array<FileOfferRequest & { ref: string }> {
    const out = this.waiting.map(([ref, p]) => {
      this.inflight.set(ref, p);
      return { ...p.request, ref };
    });
    this.waiting = [];
    return out;
  }

  /** An `upload_slot`: resolves its offer; false when it answers none. */
  answer(slot: UploadSlotMessage): boolean {
    const p = isOfferRef(slot.ref) ? this.inflight.get(slot.ref) : undefined;
    if (!p || !isOfferRef(slot.ref)) return false;
    this.inflight.delete(slot.ref);
    p.resolve(slot);
    return true;
  }

  /** An `error` with an offer's ref: rejects it; false when the ref is not an offer's. */
  refuse(ref: unknown, code: string, message: string): boolean {
    if (!isOfferRef(ref)) return false;
    const p = this.inflight.get(ref);
    this.inflight.delete(ref);
    p?.reject(new OfferRefused(code, message));
    return true;
  }

  /** After a lost connection: unanswered offers go out again. */
  requeue(): void {
    this.waiting = [...this.inflight.entries(), ...this.waiting];
    this.inflight.clear();
  }

  /** The session ended: every offer fails with `err`. */
  failAll(err: Error): void {
    for (const [, p] of [...this.waiting, ...this.inflight.entries()]) p.reject(err);
    this.waiting = [];
    this.inflight.clear();
  }
}
