import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import type { SessionEvent } from '../../src/client/session.js';

const SAFETY_MS = 5000;

/** Reconnect delays for tests: 20 ms doubling to 100 ms, no randomness. */
export const FAST_BACKOFF = { baseMs: 20, maxMs: 100, random: () => 0.5 };

/**
 * A TCP relay in front of the server. `cutClientSides()` breaks the client's side of every
 * relayed connection and keeps the server's side open: the server still thinks the old
 * connection is alive (a ghost holding the name), as after a network failure.
 */
export async function relay(t: { after(fn: () => unknown): void }, target: number) {
  const pairs: Array<{ client: Socket; upstream: Socket }> = [];
  /** Every line the clients sent through the relay, in order. */
  const sent: string[] = [];
  const server = createServer((client) => {
    let partial = '';
    client.setEncoding('utf8').on('data', (d: string) => {
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      sent.push(...lines);
    });
    const upstream = connect(target, '127.0.0.1');
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => {});
    upstream.on('error', () => {});
    pairs.push({ client, upstream });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const p of pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    server.close();
  });
  return {
    port: (server.address() as AddressInfo).port,
    sent,
    cutClientSides() {
      for (const p of pairs.splice(0)) {
        p.client.unpipe(p.upstream);
        p.upstream.unpipe(p.client);
        p.client.destroy();
      }
    },
  };
}

/** Records a session's events and waits for the next one of a type. */
export function recorder() {
  const events: SessionEvent[] = [];
  const waiters: Array<() => void> = [];
  const listener = (e: SessionEvent) => {
    events.push(e);
    for (const w of waiters.splice(0)) w();
  };
  let seen = 0;
  async function next<T extends SessionEvent['type']>(type: T): Promise<Extract<SessionEvent, { type: T }>> {
    const deadline = Date.now() + SAFETY_MS;
    for (;;) {
      while (seen < events.length) {
        const e = events[seen++] as SessionEvent;
        if (e.type === type) return e as Extract<SessionEvent, { type: T }>;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} event; saw ${events.map((e) => e.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }
  return { listener, next, events };
}
