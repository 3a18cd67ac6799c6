import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { DEFAULTS, type ServerOptions } from '../../src/server/options.js';
import { PapoServer, type PapoServerDeps } from '../../src/server/server.js';
import { LineClient } from './line-client.js';

export interface TestServer {
  server: PapoServer;
  port: number;
  address: AddressInfo;
  stop(): Promise<void>;
}

/** Options for a test server: 127.0.0.1, port 0, English, quiet logs. */
export function testOptions(overrides: Partial<ServerOptions> = {}): ServerOptions {
  return {
    ...DEFAULTS,
    host: '127.0.0.1',
    port: 0,
    dataDir: '/nonexistent',
    lang: 'en',
    logLevel: 'silent',
    ...overrides,
  };
}

/** Starts a real papo server in this process on a free port. */
export async function startServer(
  overrides: Partial<ServerOptions> = {},
  deps: Partial<Omit<PapoServerDeps, 'options'>> = {},
): Promise<TestServer> {
  const options = testOptions(overrides);
  const server = new PapoServer({ options, log: pino({ level: 'silent' }), version: '0.0.0-test', ...deps });
  const address = await server.listen();
  return { server, port: address.port, address, stop: () => server.stop(500) };
}

/** A test server whose clients are tracked and closed, with the server, when the test ends. */
export interface ServedChat {
  srv: TestServer;
  /** Connects a raw client (not yet named). */
  connect(): Promise<LineClient>;
  /** Connects a plain-text client that has joined as `name`. */
  join(name: string): Promise<LineClient>;
  /** Connects a JSON client that sent `hello` with `name` (and `extra` fields); returns its answer to it. */
  bot(
    name: string,
    extra?: Record<string, unknown>,
  ): Promise<{ c: LineClient; welcome: Record<string, unknown> }>;
}

/** Starts a server for one test (`t.after` cleans up). */
export async function serveChat(
  t: { after(fn: () => unknown): void },
  overrides: Partial<ServerOptions> = {},
): Promise<ServedChat> {
  const srv = await startServer(overrides);
  const clients: LineClient[] = [];
  t.after(async () => {
    for (const c of clients) c.destroy();
    await srv.stop();
  });
  const track = (c: LineClient) => (clients.push(c), c);
  return {
    srv,
    connect: async () => track(await LineClient.connect(srv.port)),
    join: async (name) => track(await LineClient.join(srv.port, name)),
    bot: async (name, extra = {}) => {
      const c = track(await LineClient.connect(srv.port));
      c.sendLine(JSON.stringify({ type: 'hello', version: 1, name, ...extra }));
      const hello = await c.jsonOfType('hello');
      if (hello.version !== 1) throw new Error(`unexpected hello ${JSON.stringify(hello)}`);
      return { c, welcome: await c.nextJson() };
    },
  };
}
