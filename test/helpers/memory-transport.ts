import type { Transport, TransportHandler } from '../../src/server/transport.js';

const DEFAULT_WAIT_MS = 5000;

/**
 * The transport port in memory, for connection tests without a socket: it records every write,
 * lets the test push lines, end the input or close, and reports whatever `bufferedBytes` the
 * test sets. With `holdWrites`, each write stays in `bufferedBytes` until the test drains it:
 * a client that does not read.
 */
export class MemoryTransport implements Transport {
  readonly remoteAddress: string;
  readonly jsonOnly: boolean;
  handler: TransportHandler | null = null;
  /** Every chunk passed to `write`, one entry per call. */
  readonly writes: Uint8Array[] = [];
  bufferedBytes = 0;
  holdWrites = false;
  lineLimit = 0;
  paused = false;
  ended = false;
  destroyed = false;
  closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(options: { remoteAddress?: string; jsonOnly?: boolean } = {}) {
    this.remoteAddress = options.remoteAddress ?? '127.0.0.1';
    this.jsonOnly = options.jsonOnly ?? false;
  }

  // ---- Transport ----

  start(handler: TransportHandler): void {
    this.handler = handler;
  }

  setLineLimit(bytes: number): void {
    this.lineLimit = bytes;
  }

  write(chunk: Uint8Array): void {
    if (this.destroyed || this.closed) return;
    this.writes.push(chunk);
    if (this.holdWrites) this.bufferedBytes += chunk.length;
    this.wake();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Like a socket whose client reads what is left and closes: the close comes on a later turn. */
  end(): void {
    this.ended = true;
    setImmediate(() => this.close());
  }

  /** Like `socket.destroy()`: the close comes on a later turn. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    setImmediate(() => this.close());
  }

  // ---- The client's side ----

  /** The client sends one line. */
  pushLine(text: string): void {
    this.handler?.onTransportLine({ kind: 'line', text, bytes: Buffer.byteLength(text, 'utf8') });
  }

  /** The client sent a line over the transport's limit (counted, not kept). */
  pushTooLong(bytes: number): void {
    this.handler?.onTransportLine({ kind: 'too_long', bytes });
  }

  /** The client finished sending. */
  endInput(): void {
    this.handler?.onTransportEnd();
  }

  /** The client read `bytes` of what was buffered (all of it by default). */
  drain(bytes = Infinity): void {
    this.bufferedBytes = Math.max(0, this.bufferedBytes - bytes);
  }

  /** Everything written so far, as text. */
  text(): string {
    return Buffer.concat(this.writes).toString('utf8');
  }

  /** Every complete line written so far. */
  lines(): string[] {
    const lines = this.text().split('\n');
    lines.pop();
    return lines;
  }

  /** Waits until `test` holds, checking after every write and the close; fails loudly after `ms`. */
  async until(test: () => boolean, what: string, ms = DEFAULT_WAIT_MS): Promise<void> {
    if (test()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; written: ${JSON.stringify(this.text())}`));
      }, ms);
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  /** Waits for the next write; returns it. */
  async nextWrite(ms?: number): Promise<string> {
    const count = this.writes.length;
    await this.until(() => this.writes.length > count, 'a write', ms);
    return Buffer.from(this.writes[count] as Uint8Array).toString('utf8');
  }

  /** Waits until the transport is closed. */
  async whenClosed(ms?: number): Promise<void> {
    await this.until(() => this.closed, 'the close', ms);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handler?.onTransportClose();
    this.wake();
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}
