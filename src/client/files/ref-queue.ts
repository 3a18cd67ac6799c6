/** The answer to a file request that the server refused (`FILES_OFF`, `FILE_TOO_BIG`, `NO_SUCH_FILE` …). */
export class OfferRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Pending<Request, Answer> {
  request: Request;
  resolve(answer: Answer): void;
  reject(err: Error): void;
}

/**
 * Requests waiting for their answer, each under a ref `PREFIX N` (the session's other refs are
 * numbers). Like the session's other requests they go out once joined, and again after a
 * reconnect until answered; an `error` with their ref rejects them with OfferRefused.
 */
export class RefQueue<Request, Answer> {
  private seq = 0;
  private waiting: Array<[string, Pending<Request, Answer>]> = [];
  private readonly inflight = new Map<string, Pending<Request, Answer>>();

  constructor(private readonly prefix: string) {}

  /** Whether `ref` is one of this queue's. */
  owns(ref: unknown): ref is string {
    return typeof ref === 'string' && ref.startsWith(this.prefix);
  }

  add(request: Request): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.waiting.push([`${this.prefix}${++this.seq}`, { request, resolve, reject }]);
    });
  }

  /** The requests to write now, each with its ref; they wait for their answers from here on. */
  takeSendable(): Array<[ref: string, request: Request]> {
    const out = this.waiting.map(([ref, p]): [string, Request] => {
      this.inflight.set(ref, p);
      return [ref, p.request];
    });
    this.waiting = [];
    return out;
  }

  /** Resolves the request under `ref` with `answer`; false when none waits under it. */
  resolveRef(ref: unknown, answer: Answer): boolean {
    const p = this.owns(ref) ? this.inflight.get(ref) : undefined;
    if (!p) return false;
    this.inflight.delete(ref as string);
    p.resolve(answer);
    return true;
  }

  /** Resolves every sent request that `matches` with `answer` (an answer that carries no ref). */
  resolveWhere(matches: (request: Request) => boolean, answer: Answer): void {
    for (const [ref, p] of this.inflight) {
      if (!matches(p.request)) continue;
      this.inflight.delete(ref);
      p.resolve(answer);
    }
  }

  /** An `error` with one of this queue's refs: rejects its request; false when the ref is not ours. */
  refuse(ref: unknown, code: string, message: string): boolean {
    if (!this.owns(ref)) return false;
    const p = this.inflight.get(ref);
    this.inflight.delete(ref);
    p?.reject(new OfferRefused(code, message));
    return true;
  }

  /** After a lost connection: unanswered requests go out again. */
  requeue(): void {
    this.waiting = [...this.inflight.entries(), ...this.waiting];
    this.inflight.clear();
  }

  /** The session ended: every request fails with `err`. */
  failAll(err: Error): void {
    for (const [, p] of [...this.waiting, ...this.inflight.entries()]) p.reject(err);
    this.waiting = [];
    this.inflight.clear();
  }
}
