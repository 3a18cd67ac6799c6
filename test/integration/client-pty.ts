import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const PTY = new URL('./client-pty.py', import.meta.url).pathname;
const SAFETY_MS = 20_000; // a safety net for a loaded machine, never a wait
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** `papo client` in a real pseudo-terminal (python3's pty module), driven by keystrokes. */
export class PtyClient {
  raw = '';
  private waiters: Array<() => void> = [];
  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.raw += d;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static start(args: string[], cols: number, rows: number): PtyClient {
    return PtyClient.startCommand([process.execPath, CLI, 'client', ...args], cols, rows);
  }

  /** Any command in the pseudo-terminal. */
  static startCommand(command: string[], cols: number, rows: number): PtyClient {
    const child = spawn('python3', [PTY, String(cols), String(rows), ...command], {
      env: { ...process.env, TERM: 'xterm-256color', LANG: 'en_US.UTF-8', NO_COLOR: '' },
    });
    return new PtyClient(child);
  }

  /** What the terminal shows, without escape sequences. */
  get text(): string {
    return this.raw.replace(ANSI, '');
  }

  /** Waits until the output (escape sequences removed) after offset `from` matches. */
  async waitFor(pattern: RegExp | string, from = 0): Promise<number> {
    const deadline = Date.now() + SAFETY_MS;
    for (;;) {
      const text = this.text.slice(from);
      const i = typeof pattern === 'string' ? text.indexOf(pattern) : text.search(pattern);
      if (i !== -1) return from + i;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${String(pattern)}; screen: ${JSON.stringify(this.text.slice(-600))}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  /** Waits until the raw output (escape sequences kept) after offset `from` holds `text`. */
  async waitForRaw(text: string, from = 0): Promise<void> {
    const deadline = Date.now() + SAFETY_MS;
    while (!this.raw.includes(text, from)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${JSON.stringify(text)}; raw: ${JSON.stringify(this.raw.slice(-600))}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  /** Waits, output by output, until `check` holds. */
  async until(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + SAFETY_MS;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; raw: ${JSON.stringify(this.raw.slice(-600))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  type(keys: string): void {
    this.child.stdin.write(keys);
  }

  async exitCode(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), SAFETY_MS);
    const [code] = (await once(this.child, 'exit')) as [number | null];
    clearTimeout(timer);
    return code;
  }
}

/** Waits until a process is in `state` (R, S, T …): a stop has no event to wait on. */
export async function stateOf(pid: number, state: string): Promise<void> {
  const deadline = Date.now() + SAFETY_MS;
  // The state is the field after the parenthesised command name in /proc/PID/stat.
  while (/\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] !== state) {
    if (Date.now() > deadline) throw new Error(`process ${pid} never reached state ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
