import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis, type RedisOptions } from 'ioredis';
import pino from 'pino';
import { Cluster } from '../../src/cluster/index.js';
import type { RedisAccounts, RedisAccountsOptions } from '../../src/cluster/redis-accounts.js';
import { FileService } from '../../src/server/files/file-service.js';
import { FILES_DEFAULTS } from '../../src/server/files/options.js';
import type { ServerOptions } from '../../src/server/options.js';
import { PapoServer, type PapoServerDeps } from '../../src/server/server.js';
import { startWebListener } from '../../src/server/web/web-listener.js';
import { SqliteHistory } from '../../src/store/index.js';
import { LineClient } from '../helpers/line-client.js';
import { testOptions } from '../helpers/server.js';
import { freePort } from '../../src/bench/ports.js';

/** Cluster tests run only from `npm run test:cluster` (they need redis-server). */
export const SKIP = process.env.PAPO_CLUSTER_TESTS !== '1' && 'run with npm run test:cluster';

/** Quick heartbeats so a dead node is noticed in a test's time (the defaults: 3 s and 10 s). */
export const FAST = { heartbeatMs: 500, aliveMs: 2000 };

export { freePort };

async function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => resolve(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
  });
}

/** A real redis-server on a free port with a throw-away directory; stopped by its PID. */
export class TestRedis {
  private proc: ChildProcess | null = null;
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<TestRedis> {
    const r = new TestRedis(await freePort(), mkdtempSync(join(tmpdir(), 'papo-redis-')));
    await r.run();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The redis-server's process id, while it runs (a test may SIGSTOP it). */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async run(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    this.proc = spawn('redis-server', [...args, '--dir', this.dir], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !(await pong(this.port)); i++) await new Promise((r) => setTimeout(r, 25));
  }

  /** Stops Redis (its data goes with it: no persistence here). */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    process.kill(p.pid as number, 'SIGKILL');
    await gone;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What a cluster test starts: a Redis, its nodes and clients, all stopped when the test ends (clients first). */
export interface ClusterFixture {
  redis: TestRedis;
  nodes: TestNode[];
  clients: LineClient[];
}

/** Starts a throw-away Redis; the nodes and clients the test pushes are stopped with it. */
export async function clusterFixture(t: { after(fn: () => Promise<void>): void }): Promise<ClusterFixture> {
  const fixture: ClusterFixture = { redis: await TestRedis.start(), nodes: [], clients: [] };
  t.after(async () => {
    for (const c of fixture.clients) c.destroy();
    for (const n of fixture.nodes) await n.stop();
    await fixture.redis.destroy();
  });
  return fixture;
}

/**
 * A Redis, an admin connection to it (`admin`: its options), and nodes `a` and `b` with fast
 * heartbeats, all stopped when the test ends. `aUrl`: how node a reaches Redis when not
 * directly (through a relay the test can cut).
 */
export async function twoNodeFixture(
  t: { after(fn: () => unknown): void },
  options: { admin?: RedisOptions; aUrl?: (redis: TestRedis) => Promise<string> } = {},
) {
  const fixture = await clusterFixture(t);
  const admin = new Redis(fixture.redis.url, options.admin ?? {});
  t.after(() => admin.disconnect());
  const aUrl = options.aUrl ? await options.aUrl(fixture.redis) : fixture.redis.url;
  fixture.nodes.push(await startNode(aUrl, 'a', FAST));
  fixture.nodes.push(await startNode(fixture.redis.url, 'b', FAST));
  const [a, b] = fixture.nodes as [TestNode, TestNode];
  return { ...fixture, admin, a, b };
}

export interface TestNode {
  name: string;
  server: PapoServer;
  cluster: Cluster;
  /** The cluster's accounts, when the node was started with them. */
  accounts?: RedisAccounts;
  port: number;
  stop(): Promise<void>;
}

/** One papo node of the cluster in this process, on a free port. */
export async function startNode(
  url: string,
  name: string,
  times = FAST,
  withHistory = false,
  deps: Partial<Pick<PapoServerDeps, 'moderation' | 'files' | 'accounts' | 'loginThrottle'>> = {},
  /** The cluster's accounts (in Redis) with these options, and server options over the tests'. */
  extra: { accounts?: RedisAccountsOptions; options?: Partial<ServerOptions> } = {},
): Promise<TestNode> {
  const log = pino({ level: process.env.PAPO_TEST_LOG ?? 'silent' });
  const cluster = await Cluster.connect({ url, node: name, log, times });
  const accounts = extra.accounts ? await cluster.openAccounts(extra.accounts) : undefined;
  const dir = withHistory ? mkdtempSync(join(tmpdir(), 'papo-history-')) : null;
  const history = dir ? SqliteHistory.open(join(dir, 'history.db')) : undefined;
  const server = new PapoServer({
    options: { ...testOptions(), ...extra.options },
    log,
    version: '0.0.0-test',
    cluster,
    history,
    ...deps,
    ...(accounts ? { accounts } : {}),
  });
  if (deps.files) deps.files.locator = cluster.fileLocator;
  await cluster.start(server.hub, (history?.nextEventId() ?? 1) - 1);
  const address = await server.listen();
  let stopped = false;
  return {
    name,
    server,
    cluster,
    ...(accounts ? { accounts } : {}),
    port: address.port,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop(500);
      await cluster.stop();
      accounts?.close();
      history?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Connects a JSON (version 2) client as `name` (from the loopback address `from`, 127.0.0.x);
 * returns it with its first answer to the join.
 */
export async function bot(port: number, name: string, extra: Record<string, unknown> = {}, from?: string) {
  const c = await LineClient.connect(port, '127.0.0.1', from);
  c.sendLine(JSON.stringify({ type: 'hello', version: 2, name, ...extra }));
  await c.jsonOfType('hello');
  return { c, welcome: await c.nextJson() };
}

/** Sends a JSON action. */
export function act(c: LineClient, action: Record<string, unknown>): void {
  c.sendLine(JSON.stringify(action));
}

/** The next JSON message matching `test`, skipping others. */
export async function nextWhere(
  c: LineClient,
  test: (m: Record<string, unknown>) => boolean,
  ms = 10_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('timed out waiting for a matching message');
    const m = await c.nextJson(left);
    if (test(m)) return m;
  }
}

const CLI_SOURCE = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** `papo server --cluster` as a child process (so it can be killed with -9); resolves once listening. */
export async function spawnNode(url: string, name: string, env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'papo-node-'));
  const args = ['--import', 'tsx', CLI_SOURCE, 'server', '--port', '0', '--no-web', '--data-dir', dir];
  const child = spawn(process.execPath, [...args, '--cluster', url, '--node-name', name], {
    env: { ...process.env, LANG: 'C', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start: ${err}`)), 20_000);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on \S+:(\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  const exited = new Promise((r) => child.once('exit', r));
  return {
    port,
    pid: child.pid as number,
    exited,
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, signal);
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every message a client was shown, and every ack and error its own messages got, in order. */
export function record(c: LineClient) {
  const seen: Record<string, unknown>[] = [];
  const pull = async () => {
    for (;;) {
      const m = await c.nextJson(60_000).catch(() => null);
      if (m === null) return;
      seen.push(m);
    }
  };
  void pull();
  return seen;
}

/** Every message `c` is shown until the test ends (polled briefly, so nothing waits on after it). */
export function recordUntilEnd(t: { after(fn: () => void): void }, c: LineClient): Record<string, unknown>[] {
  const seen: Record<string, unknown>[] = [];
  let ended = false;
  t.after(() => void (ended = true));
  void (async () => {
    while (!ended) {
      const m = await c.nextJson(200).catch(() => null);
      if (m) seen.push(m);
    }
  })();
  return seen;
}

/** Matches the join and leave notices of `name`. */
export const about = (name: string) => (m: Record<string, unknown>) =>
  (m.type === 'leave' || m.type === 'join') && m.name === name;

export async function until(test: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A node with file transfer and its web listener (files in `dir/<name>`); `publicUrl`: the
 * base of its file URLs (default: its web listener's own URL).
 */
export async function startFileNode(url: string, name: string, dir: string, publicUrl: string | null = null) {
  const log = pino({ level: 'silent' });
  const files = await FileService.open({ ...FILES_DEFAULTS, publicUrl, root: join(dir, name), log });
  const node = await startNode(url, name, FAST, false, { files });
  const web = await startWebListener({
    files: new Map(),
    host: '127.0.0.1',
    port: 0,
    tls: null,
    extraOrigins: [],
    trustProxy: false,
    heartbeatSeconds: 30,
    log,
    gate: node.server,
    fileRoutes: files,
  });
  files.useListenerUrl(web.url);
  return {
    node,
    /** host:port of its web listener. */
    web: `127.0.0.1:${web.address.port}`,
    stop: async () => {
      await web.close();
      await node.stop();
      files.close();
    },
  };
}
