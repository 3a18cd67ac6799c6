import type { ChatRequest } from './input.js';

/**
 * Requests waiting to be sent and those sent but not yet answered, matched by a numeric `ref`.
 * At most `window` are unanswered at once, so a long piped input is paced by the server.
 */
export class RequestQueue {
  private waiting: ChatRequest[] = [];
  private readonly inflight = new Map<number, ChatRequest>();
  private seq = 0;

  constructor(private readonly window: number) {}

  push(request: ChatRequest): void {
    this.waiting.push(request);
  }

  /** The requests that may go out now, each with the ref it is sent under. */
  takeSendable(): Array<{ ref: number; request: ChatRequest }> {
    const out: Array<{ ref: number; request: ChatRequest }> = [];
    while (this.inflight.size < this.window && this.waiting.length > 0) {
      const request = this.waiting.shift() as ChatRequest;
      const ref = ++this.seq;
      this.inflight.set(ref, request);
      out.push({ ref, request });
    }
    return out;
  }

  /** The request an answer with this ref belongs to (removed); undefined if none is waiting. */
  answer(ref: unknown): ChatRequest | undefined {
    if (typeof ref !== 'number') return undefined;
    const request = this.inflight.get(ref);
    this.inflight.delete(ref);
    return request;
  }

  /** After a lost connection: unanswered requests go out again first, in their order. */
  requeue(): void {
    this.waiting = [...this.inflight.values(), ...this.waiting];
    this.inflight.clear();
  }

  get isEmpty(): boolean {
    return this.waiting.length === 0 && this.inflight.size === 0;
  }
}
