import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Endpoint } from './clients.js';

/** What a papo server holds that a load test would disturb. */
export interface ServerUse {
  /** Users online besides the probe. */
  users: string[];
  /** Whether it keeps history and has stored messages (a load test would add thousands). */
  storedMessages: boolean;
}

/** Refs of the probe's two requests: the answer to the last one closes the exchange. */
const HISTORY_REF = 'probe-history';
const PING_REF = 'probe-ping';

/**
 * Looks at a server before a load test, cheaply: joins under a random name with JSON lines,
 * reads who is online from `welcome`, whether a history replay follows it, and whether one
 * older stored message exists (`history`, limit 1: a server that replays nothing on joining
 * still answers it); the `pong` to a `ping` sent last closes the exchange, then it quits.
 * Rejects when the server does not answer like papo within `timeoutMs`.
 */
export function probeServer(endpoint: Endpoint, timeoutMs = 10_000): Promise<ServerUse> {
  const name = `pb-probe-${randomBytes(4).toString('hex')}`;
  return new Promise((resolve, reject) => {
    const socket: Socket = endpoint.tls
      ? tlsConnect({ host: endpoint.address, port: endpoint.port, rejectUnauthorized: false })
      : connect({ host: endpoint.address, port: endpoint.port });
    const use: ServerUse = { users: [], storedMessages: false };
    let buffered = '';
    let settled = false;
    const done = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        socket.destroy();
        reject(err);
        return;
      }
      socket.end('{"type":"quit"}\n');
      resolve(use);
    };
    const timer = setTimeout(
      () => done(new Error(`no answer from a papo server within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const send = (m: object) => socket.write(`${JSON.stringify(m)}\n`);
    const onMessage = (m: Record<string, unknown>) => {
      switch (m.type) {
        case 'welcome':
          use.users = Array.isArray(m.users)
            ? m.users.filter((u): u is string => typeof u === 'string' && u !== name)
            : [];
          send({ type: 'history', limit: 1, ref: HISTORY_REF });
          send({ type: 'ping', ref: PING_REF });
          return;
        case 'history':
          if (typeof m.count === 'number' && m.count > 0) use.storedMessages = true;
          return;
        case 'pong':
          if (m.ref === PING_REF) done(null);
          return;
        case 'error':
          // HISTORY_UNAVAILABLE (no history kept) answers the history request; others are fatal.
          if (m.ref !== HISTORY_REF) done(new Error(`the server refused the probe: ${String(m.message)}`));
          return;
      }
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => send({ type: 'hello', version: 1, name, client: 'papo-bench-probe' }));
    socket.on('secureConnect', () => send({ type: 'hello', version: 1, name, client: 'papo-bench-probe' }));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.startsWith('{')) continue; // the plain greeting and prompt
        try {
          onMessage(JSON.parse(line) as Record<string, unknown>);
        } catch {
          return done(new Error("the server does not speak papo's JSON lines"));
        }
      }
      if (buffered.length > 1 << 20) done(new Error('the server sent an over-long line'));
    });
    socket.on('error', (err) => done(err));
    socket.on('close', () => done(new Error('the server closed the connection')));
  });
}

/** The refusal when the server is in use, with what to do instead; null when it is free. */
export function inUseText(target: string, use: ServerUse): string | null {
  if (use.users.length === 0 && !use.storedMessages) return null;
  const shown = use.users.slice(0, 5).join(', ') + (use.users.length > 5 ? ', …' : '');
  const what = [
    ...(use.users.length > 0
      ? [`${use.users.length} user${use.users.length === 1 ? '' : 's'} online (${shown})`]
      : []),
    ...(use.storedMessages ? ['messages in its history'] : []),
  ].join(' and ');
  return (
    `refusing to load-test ${target}: it has ${what}, and a load test fills the chat and its ` +
    'history with fake users and PB: lines. Test a throwaway server instead ' +
    '(papo server --port 7000 --no-history --data-dir "$(mktemp -d)"), or pass --force'
  );
}
