import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { chromium, type Browser, type BrowserContext, type Page, type WebSocketRoute } from 'playwright-core';
import { CLI, tempDir } from '../helpers/cli.js';
import { LineClient } from '../helpers/line-client.js';

/** Debian's Chromium unless PAPO_CHROMIUM names another (no browser download: .ci/run installs it). */
export const CHROMIUM = process.env.PAPO_CHROMIUM ?? '/usr/bin/chromium';
/** How long one browser-side wait may take before the test fails. */
export const WAIT_MS = 15_000;

/** A `papo server` child process with the web UI on, and how to restart it on the same ports. */
export class PapoProcess {
  child: ChildProcessWithoutNullStreams | null = null;
  port = 0;
  webUrl = '';
  private err = '';

  private constructor(
    readonly dataDir: string,
    private readonly extra: string[],
  ) {}

  static async start(extra: string[] = []): Promise<PapoProcess> {
    const p = new PapoProcess(tempDir('papo-e2e-'), extra);
    await p.spawn(['--port', '0', '--web-port', '0']);
    return p;
  }

  get webPort(): number {
    return Number(new URL(this.webUrl).port);
  }

  private async spawn(ports: string[]): Promise<void> {
    const child = spawn(
      process.execPath,
      [CLI, 'server', ...ports, '--data-dir', this.dataDir, ...this.extra],
      {
        env: { ...process.env, LANG: 'C', PAPO_LOG_LEVEL: 'warn' },
      },
    );
    this.child = child;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (this.err += d));
    child.stdout.setEncoding('utf8');
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${this.err}`)), WAIT_MS);
      child.stdout.on('data', (d: string) => {
        out += d;
        const tcp = /^listening on \S+:(\d+)$/m.exec(out);
        const web = /^web listening on (\S+)$/m.exec(out);
        if (tcp && web) {
          clearTimeout(timer);
          this.port = Number(tcp[1]);
          this.webUrl = web[1] as string;
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited (${code}): ${this.err}`));
      });
    });
  }

  /** Stops the server (SIGTERM, as an operator would) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null || child.exitCode !== null) return;
    this.child = null;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }

  /** Starts it again on the same ports and data directory. */
  async restart(): Promise<void> {
    await this.stop();
    await this.spawn(['--port', String(this.port), '--web-port', String(this.webPort)]);
  }

  stderr(): string {
    return this.err;
  }
}

/** One Chromium for a test file; each user gets a context of their own (own storage). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

export interface BrowserUser {
  context: BrowserContext;
  page: Page;
  /** Script errors and dialogs seen on the page (an XSS would show up here). */
  problems: string[];
}

/** Opens the app in a fresh context and joins as `name`. */
export async function browserUser(
  browser: Browser,
  url: string,
  name: string,
  options: { viewport?: { width: number; height: number }; locale?: string; isMobile?: boolean } = {},
): Promise<BrowserUser> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1100, height: 720 },
    locale: options.locale ?? 'en-US',
    isMobile: options.isMobile,
    hasTouch: options.isMobile,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.fill('#name-input', name);
  await page.click('#login-button');
  await page.waitForSelector('#app:not([hidden])');
  await page.waitForSelector('#conv-title:text("#geral")');
  return { context, page, problems };
}

/** Types a line in the input and sends it with Enter. */
export async function say(page: Page, line: string): Promise<void> {
  await page.fill('#input', line);
  await page.press('#input', 'Enter');
}

/** Texts of the messages shown in the current conversation (author: text), in order. */
export async function shownMessages(page: Page): Promise<string[]> {
  return page
    .locator('#scroller li.msg:not(.pending)')
    .evaluateAll((nodes) =>
      nodes.map(
        (n) =>
          `${n.querySelector('.from')?.textContent ?? ''}: ${n.querySelector('.text')?.textContent ?? ''}`,
      ),
    );
}

/** A plain-text (nc-style) user. */
export async function tcpUser(port: number, name: string): Promise<LineClient> {
  return LineClient.join(port, name);
}

/** Cuts a page off the chat's WebSocket and lets it back, as a network loss would. */
export interface NetworkSwitch {
  goOffline(): void;
  /** Resolves once the page has tried to reconnect while offline. */
  attemptHeld(): Promise<void>;
  /** Fails the held attempts, so the page's next one (a second or so later) gets through. */
  goOnline(): void;
}

/**
 * Routes the page's WebSocket through a switch. Offline, an attempt is held: neither connected
 * nor closed, as on a dead network, so the page's reconnection timing is the test's to decide.
 * Registered before a reload, it covers the page's socket from then on.
 */
export async function networkSwitch(page: Page): Promise<NetworkSwitch> {
  let online = true;
  const held: WebSocketRoute[] = [];
  let onHeld: (() => void) | null = null;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    if (online) return void ws.connectToServer();
    held.push(ws);
    onHeld?.();
  });
  return {
    goOffline: () => {
      online = false;
    },
    attemptHeld: async () => {
      while (held.length === 0) await new Promise<void>((resolve) => (onHeld = resolve));
    },
    goOnline: () => {
      online = true;
      for (const ws of held.splice(0)) void ws.close();
    },
  };
}
