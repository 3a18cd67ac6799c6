import { LineClient } from './line-client.js';
import { nameKey } from '../../src/core/names.js';
import type { PapoServer } from '../../src/server/server.js';

/**
 * TEST-ONLY stand-in for logging in to an account (the accounts feature, #15, sets
 * `session.account` on a real login): marks the joined user `name` as logged in to the account
 * of the same name, so `--ops` can make it a server operator. Never used outside tests.
 */
export function loginForTest(server: PapoServer, name: string): void {
  const session = server.hub.findUser(name);
  if (!session) throw new Error(`no user ${name} online`);
  session.account = nameKey(name);
}

/** A plain-text user joined as `name` from the loopback address `from` (127.0.0.x). */
export async function joinFrom(port: number, name: string, from: string): Promise<LineClient> {
  const c = await LineClient.connect(port, '127.0.0.1', from);
  await c.prompt();
  c.sendLine(name);
  await c.lineMatching(/^\*\*\* Type a message/);
  return c;
}
