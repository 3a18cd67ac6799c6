import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

const DEFAULT_WAIT_MS = 5000;

/**
 * A raw TCP client that reads what the server sends as lines (or, for the prompt, as a partial
 * line). Every wait has a safety timeout that fails loudly; tests never sleep.
 */
export class LineClient {
  readonly socket: Socket;
  private buffer = '';
  private lines: string[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      this.buffer += data;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        this.lines.push(this.buffer.slice(0, nl).replace(/\r$/, ''));
        this.buffer = this.buffer.slice(nl + 1);
      }
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** `localAddress`: connect from another loopback address (127.0.0.2…), as another machine would. */
  static async connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<LineClient> {
    const socket = connect(localAddress === undefined ? { port, host } : { port, host, localAddress });
    await once(socket, 'connect');
    return new LineClient(socket);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until `test` holds, re-checking whenever data or a close arrives. */
  async until<T>(test: () => T | undefined, what: string, ms = DEFAULT_WAIT_MS): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = test();
      if (v !== undefined) return v;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out waiting for ${what}; pending lines: ${JSON.stringify(this.lines)}, partial: ${JSON.stringify(this.buffer)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The next complete line. */
  nextLine(ms?: number): Promise<string> {
    return this.until(() => this.lines.shift(), 'a line', ms);
  }

  /** Skips lines until one matches; returns it. */
  async lineMatching(pattern: RegExp | string, ms?: number): Promise<string> {
    const test = (l: string) => (typeof pattern === 'string' ? l === pattern : pattern.test(l));
    return this.until(
      () => {
        while (this.lines.length > 0) {
          const l = this.lines.shift() as string;
          if (test(l)) return l;
        }
        return undefined;
      },
      `a line matching ${String(pattern)}`,
      ms,
    );
  }

  /** Waits for an unterminated partial line (a prompt) that ends with `suffix`, and consumes it. */
  async prompt(suffix = ': ', ms?: number): Promise<string> {
    return this.until(
      () => {
        this.lines = []; // lines before the prompt (the greeting) are skipped
        if (!this.buffer.endsWith(suffix)) return undefined;
        const p = this.buffer;
        this.buffer = '';
        return p;
      },
      `a prompt ending in ${JSON.stringify(suffix)}`,
      ms,
    );
  }

  /** Lines received and not yet read. */
  pending(): string[] {
    return [...this.lines];
  }

  send(text: string): void {
    this.socket.write(text);
  }

  sendLine(text: string): void {
    this.socket.write(text + '\n');
  }

  /** Waits until the server has closed the connection. */
  async closedByServer(ms?: number): Promise<void> {
    await this.until(() => (this.closed ? true : undefined), 'the connection to close', ms);
  }

  /** Connects, answers the prompt with `name` and waits for the welcome. */
  static async join(port: number, name: string): Promise<LineClient> {
    const c = await LineClient.connect(port);
    await c.prompt();
    c.sendLine(name);
    await c.lineMatching(/^\*\*\* (Type a message|Digite uma mensagem)/);
    return c;
  }

  /** Reads JSON lines only (skips the greeting and prompt). */
  async nextJson(ms?: number): Promise<Record<string, unknown>> {
    const line = await this.lineMatching(/^\{/, ms);
    return JSON.parse(line) as Record<string, unknown>;
  }

  /** Skips JSON lines until one has the given type. */
  async jsonOfType(type: string, ms?: number): Promise<Record<string, unknown>> {
    for (;;) {
      const m = await this.nextJson(ms);
      if (m.type === type) return m;
    }
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
