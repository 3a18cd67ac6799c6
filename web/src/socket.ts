import { Backoff } from './backoff.js';
import { parseServerMessage, type ClientMessage, type ServerMessage } from './protocol.js';

/** What the chat socket tells the app. */
export interface SocketEvents {
  /** The WebSocket is open: send `hello`. */
  onOpen(): void;
  onMessage(message: ServerMessage): void;
  /** A refusal at connect time (`SERVER_FULL`...): one plain `!! ` line before the close. */
  onRefused(text: string): void;
  /** The connection is gone; `retryMs` says when the next attempt is, null when none is planned. */
  onDown(retryMs: number | null): void;
}

/**
 * One WebSocket to the server at a time, reopened with backoff after a loss until `stop()`.
 * Coming back online or to the tab retries at once rather than waiting out the delay.
 */
export class ChatSocket {
  private ws: WebSocket | null = null;
  private retryTimer: number | null = null;
  private running = false;
  private readonly backoff = new Backoff();

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

  private open(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.ws === ws) this.events.onOpen();
    });
    ws.addEventListener('message', (e: MessageEvent<unknown>) => {
      if (this.ws !== ws || typeof e.data !== 'string') return;
      const message = parseServerMessage(e.data);
      if (message !== null) this.events.onMessage(message);
      else if (e.data.startsWith('!! ')) this.events.onRefused(e.data.slice(3));
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
