import { join } from 'node:path';
import type { ThrottlePolicy } from '../../src/core/login-throttle.js';
import type { ServerOptions } from '../../src/server/options.js';
import { SqliteAccounts } from '../../src/store/sqlite-accounts.js';
import { LineClient } from './line-client.js';
import { startServer, type TestServer } from './server.js';
import { tempDir } from './temp.js';

/** scrypt made cheap for tests that hash many times (the defaults are tested on their own). */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

/** The real policy's shape, with waits in tens of milliseconds so a test can run it to the end. */
export const FAST_THROTTLE: ThrottlePolicy = {
  freeFailures: 5,
  baseDelayMs: 10,
  maxDelayMs: 80,
  lockoutFailures: 20,
  addressLockoutFailures: 50,
  nameSlowFailures: 10,
  nameDelayMs: 20,
  windowMs: 15 * 60_000,
};

export interface AccountsChat {
  srv: TestServer;
  accounts: SqliteAccounts;
  dir: string;
  connect(host?: string): Promise<LineClient>;
  /** A plain user who joined as `name` (a guest: no password asked). */
  join(name: string): Promise<LineClient>;
  /** A JSON client after `hello` (no name): the server's hello read. */
  json(host?: string): Promise<LineClient>;
}

/** A server with a real SQLite accounts store in a temporary data dir, cleaned up after the test. */
export async function serveAccounts(
  t: { after(fn: () => unknown): void },
  overrides: Partial<ServerOptions> = {},
  throttle: ThrottlePolicy = FAST_THROTTLE,
): Promise<AccountsChat> {
  const dir = tempDir(t);
  const accounts = new SqliteAccounts(join(dir, 'accounts.db'), TEST_SCRYPT);
  const srv = await startServer(overrides, { accounts, loginThrottle: throttle });
  const clients: LineClient[] = [];
  t.after(async () => {
    for (const c of clients) c.destroy();
    await srv.stop();
    accounts.close();
  });
  const track = (c: LineClient) => (clients.push(c), c);
  return {
    srv,
    accounts,
    dir,
    connect: async (host) => track(await LineClient.connect(srv.port, host)),
    join: async (name) => track(await LineClient.join(srv.port, name)),
    json: async (host) => {
      const c = track(await LineClient.connect(srv.port, host));
      c.sendLine(JSON.stringify({ type: 'hello', version: 2 }));
      await c.jsonOfType('hello');
      return c;
    },
  };
}
