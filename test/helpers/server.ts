import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { DEFAULTS, type ServerOptions } from '../../src/server/options.js';
import { PapoServer, type PapoServerDeps } from '../../src/server/server.js';

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
