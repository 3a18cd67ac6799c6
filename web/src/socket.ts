import { Backoff } from './backoff.js';
import { parseServerMessage, type ClientMessage, type ServerMessage } from './protocol.js';

/** What the chat socket tells the app. */
export interface SocketEvents {
  /** The WebSocket is open: send `hello`. */
  onOpen(): void;
  onMessage(message: ServerMessage): void;
  /** The connection is gone; `retryMs` says when the next attempt is, null when none is planned. */
  onDown(retryMs: number | null): void;
}

/** Silence after opening before the server's `hello` is overdue: the connection is dead. */
const FIRST_ANSWER_MS = 15_000;
/** How often the watchdog looks. */
const WATCHDOG_MS = 5_000;

/**
 * One WebSocket to the server at a time, reopened with backoff after a loss until `stop()`.
 * Coming back online or to the tab retries at once rather than waiting out the delay.
 */
export class ChatSocket {
  private ws: WebSocket | null = null;
  private retryTimer: number | null = null;
  private running = false;
  private readonly backoff = new Backoff();
  private lastHeardAt = 0;
  /** Longest silence tolerated now: short until the server answers, then from its heartbeat. */
  private silenceLimitMs = FIRST_ANSWER_MS;
  private watchdog: number | null = null;

  constructor(
    private readonly url: string,
    private readonly events: SocketEvents,
  ) {
    window.addEventListener('online', () => this.retryNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.retryNow();
    });
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.running = true;
    if (this.ws === null) this.open();
  }

  /** Closes and stays closed (quit, or the name was taken over elsewhere). */
  stop(): void {
    this.running = false;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
  }

  /** Skips the wait before the next attempt. */
  retryNow(): void {
    if (!this.running || this.ws !== null) return;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.open();
  }

  send(message: ClientMessage): boolean {
    if (!this.isOpen || this.ws === null) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** The server answered: the connection works, so the next loss starts from a short delay. */
  markHealthy(): void {
    this.backoff.reset();
  }

  /**
   * The server pings a quiet client every `heartbeatSeconds` (its `hello` says how often), so
   * hearing nothing for more than two of them means the connection died without a close
   * (a half-open TCP connection, a proxy that stopped forwarding): close it and reconnect.
   */
  expectHeartbeat(heartbeatSeconds: number): void {
    this.silenceLimitMs = Math.max(FIRST_ANSWER_MS, (2 * heartbeatSeconds + 5) * 1000);
  }

  private checkSilence(): void {
    if (this.ws === null || this.ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeardAt > this.silenceLimitMs) this.ws.close(4000, 'silent');
  }

  private open(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    this.silenceLimitMs = FIRST_ANSWER_MS;
    this.watchdog ??= window.setInterval(() => this.checkSilence(), WATCHDOG_MS);
    ws.addEventListener('open', () => {
      this.lastHeardAt = Date.now();
      if (this.ws === ws) this.events.onOpen();
    });
    ws.addEventListener('message', (e: MessageEvent<unknown>) => {
      if (this.ws !== ws || typeof e.data !== 'string') return;
      this.lastHeardAt = Date.now();
      const message = parseServerMessage(e.data);
      if (message !== null) this.events.onMessage(message);
    });
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (!this.running) return this.events.onDown(null);
      const delay = this.backoff.next();
      this.retryTimer = window.setTimeout(() => {
        this.retryTimer = null;
        this.open();
      }, delay);
      this.events.onDown(delay);
    });
  }
}
