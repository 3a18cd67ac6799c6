// Drives real `papo server` and `papo client` processes for the file-transfer tests (#14).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { CLI, tempDir } from '../helpers/cli.js';

export const SAFETY_MS = 30_000; // a safety net for a loaded machine, never a wait

/** The environment of the children, with the web listener allowed (npm test sets PAPO_NO_WEB). */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, LANG: 'C', PAPO_LOG_LEVEL: 'warn', ...extra };
  delete e.PAPO_NO_WEB;
  return e;
}

/** A line-buffered child process: waits on its output lines, never on time. */
export class Lines {
  out: string[] = [];
  err: string[] = [];
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    const split = (into: string[]) => {
      let rest = '';
      return (d: string) => {
        const parts = (rest + d).split('\n');
        rest = parts.pop() ?? '';
        into.push(...parts);
        for (const w of this.waiters.splice(0)) w();
      };
    };
    child.stdout.setEncoding('utf8').on('data', split(this.out));
    child.stderr.setEncoding('utf8').on('data', split(this.err));
    this.exited = once(child, 'exit').then(([code]) => code as number | null);
    void this.exited.then(() => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The first line (stdout, or stderr with `stream`) matching `pattern`, once it is there. */
  async line(pattern: RegExp, stream: 'out' | 'err' = 'out'): Promise<string> {
    const deadline = Date.now() + SAFETY_MS;
    for (;;) {
      const found = this[stream].find((l) => pattern.test(l));
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null) {
        throw new Error(
          `no line matching ${pattern}; out: ${this.out.join('\n')}\nerr: ${this.err.join('\n')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }
}

export interface Papo {
  port: number;
  webUrl: string;
  dataDir: string;
}

/** `papo server` with the web listener (and so files) on port 0. */
export async function startPapo(t: TestContext, extra: string[] = []): Promise<Papo> {
  const dataDir = tempDir('papo-files-');
  const child = spawn(
    process.execPath,
    [CLI, 'server', '--port', '0', '--web-port', '0', '--data-dir', dataDir, ...extra],
    { env: env() },
  );
  const p = new Lines(child);
  t.after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await p.exited;
    }
  });
  const tcp = await p.line(/^listening on /);
  const web = await p.line(/^web listening on /);
  return {
    port: Number(/:(\d+)$/.exec(tcp)?.[1]),
    webUrl: web.replace(/^web listening on /, ''),
    dataDir,
  };
}

/** `papo client` in pipe mode (stdin a pipe), as user `name`; ended with the test. */
export function pipeClient(
  t: TestContext,
  port: number,
  name: string,
  extraEnv: NodeJS.ProcessEnv = {},
): Lines {
  const child = spawn(process.execPath, [CLI, 'client', `127.0.0.1:${port}`, '--name', name], {
    env: env(extraEnv),
  });
  const c = new Lines(child);
  t.after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await c.exited;
    }
  });
  return c;
}

/**
 * A TCP relay in front of the web port that can cut one connection: the first whose request
 * starts with `method`, once `afterBytes` bytes went the body's way (PATCH: to the server,
 * GET: to the client). It records each request's head, so a test sees the resume's headers.
 */
export class CuttingProxy {
  heads: string[] = [];
  cut: { method: 'GET' | 'PATCH'; afterBytes: number } | null = null;
  cuts = 0;
  port = 0;
  private readonly server = createServer((c) => this.onConnection(c));

  /** The web port to relay to (set once the server behind is up). */
  target = 0;

  async listen(t: TestContext): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    t.after(() => new Promise<void>((r) => this.server.close(() => r())));
    return this;
  }

  private onConnection(client: Socket): void {
    const upstream = createConnection(this.target, '127.0.0.1');
    let plan: { method: string; afterBytes: number } | null = null;
    let sent = 0;
    let received = 0;
    const drop = () => {
      this.cuts++;
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (d: Buffer) => {
      if (sent === 0) {
        const head = d.toString('latin1').split('\r\n\r\n')[0] ?? '';
        this.heads.push(head);
        if (this.cut && head.startsWith(`${this.cut.method} `)) {
          plan = this.cut;
          this.cut = null;
        }
      }
      sent += d.length;
      upstream.write(d);
      if (plan?.method === 'PATCH' && sent > plan.afterBytes) drop();
    });
    upstream.on('data', (d: Buffer) => {
      received += d.length;
      client.write(d);
      if (plan?.method === 'GET' && received > plan.afterBytes) drop();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}
