import { LineClient } from './line-client.js';

/** A plain-text user joined as `name` from the loopback address `from` (127.0.0.x). */
export async function joinFrom(port: number, name: string, from: string): Promise<LineClient> {
  const c = await LineClient.connect(port, '127.0.0.1', from);
  await c.prompt();
  c.sendLine(name);
  await c.lineMatching(/^\*\*\* Type a message/);
  return c;
}

/**
 * A plain user logged in to the registered name `name`: gives it at the name prompt, then its
 * password at `Password:` (the real login an operator needs: `--ops` names accounts).
 */
export async function loginFrom(
  port: number,
  name: string,
  password: string,
  from: string,
): Promise<LineClient> {
  const c = await LineClient.connect(port, '127.0.0.1', from);
  await c.prompt();
  c.sendLine(name);
  await c.prompt('Password: ');
  c.sendLine(password);
  await c.lineMatching(/^\*\*\* Type a message/);
  return c;
}

/** Registers `name` with `password` as a plain user would (`/register`), then leaves. */
export async function registerFrom(
  port: number,
  name: string,
  password: string,
  from: string,
): Promise<void> {
  const c = await joinFrom(port, name, from);
  try {
    c.sendLine(`/register ${password}`);
    await c.lineMatching(`*** The name ${name} is now registered to you.`);
    c.sendLine('/quit');
    await c.closedByServer();
  } finally {
    c.destroy();
  }
}
