import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { WebSocket } from 'ws';
import { WS_PATH } from './bench-client.js';
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
    const use: ServerUse = { users: [], storedMessages: false };
    let settled = false;
    const done = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        link.destroy();
        reject(err);
        return;
      }
      link.end('{"type":"quit"}');
      resolve(use);
    };
    const timer = setTimeout(
      () => done(new Error(`no answer from a papo server within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const send = (m: object) => link.send(JSON.stringify(m));
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
    const onLine = (line: string) => {
      if (!line.startsWith('{')) return; // the plain greeting and prompt
      try {
        onMessage(JSON.parse(line) as Record<string, unknown>);
      } catch {
        done(new Error("the server does not speak papo's JSON lines"));
      }
    };
    const link = (endpoint.transport === 'ws' ? openWsLink : openTcpLink)(endpoint, {
      onOpen: () => send({ type: 'hello', version: 1, name, client: 'papo-bench-probe' }),
      onLine,
      onFailure: done,
    });
  });
}

/** What the probe writes to: one JSON message at a time. */
interface ProbeLink {
  send(line: string): void;
  end(lastLine: string): void;
  destroy(): void;
}

interface ProbeEvents {
  onOpen(): void;
  onLine(line: string): void;
  onFailure(err: Error): void;
}

function openTcpLink(endpoint: Endpoint, on: ProbeEvents): ProbeLink {
  const socket: Socket = endpoint.tls
    ? tlsConnect({ host: endpoint.address, port: endpoint.port, rejectUnauthorized: false })
    : connect({ host: endpoint.address, port: endpoint.port });
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on(endpoint.tls ? 'secureConnect' : 'connect', on.onOpen);
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      on.onLine(line);
    }
    if (buffered.length > 1 << 20) on.onFailure(new Error('the server sent an over-long line'));
  });
  socket.on('error', (err) => on.onFailure(err));
  socket.on('close', () => on.onFailure(new Error('the server closed the connection')));
  return {
    send: (line) => void socket.write(`${line}\n`),
    end: (line) => void socket.end(`${line}\n`),
    destroy: () => void socket.destroy(),
  };
}

function openWsLink(endpoint: Endpoint, on: ProbeEvents): ProbeLink {
  const host = endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address;
  const url = `${endpoint.tls ? 'wss' : 'ws'}://${host}:${endpoint.port}${WS_PATH}`;
  const ws = new WebSocket(url, { rejectUnauthorized: false, perMessageDeflate: false });
  ws.on('open', on.onOpen);
  ws.on('message', (data: Buffer) => on.onLine(data.toString('utf8')));
  ws.on('error', (err) => on.onFailure(err));
  ws.on('close', () => on.onFailure(new Error('the server closed the WebSocket')));
  return {
    send: (line) => ws.send(line),
    end: (line) => {
      ws.send(line);
      ws.close(1000);
    },
    destroy: () => ws.terminate(),
  };
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
