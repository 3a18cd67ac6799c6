import { randomBytes } from 'node:crypto';
import {
  BenchClient,
  nowUs,
  type BenchProto,
  type BenchTransport,
  type TokenHandler,
} from './bench-client.js';
import { joinNoticeName } from './leave-notices.js';

/** What every scenario needs to reach the server. */
export interface Endpoint {
  address: string;
  port: number;
  proto: BenchProto;
  /** TCP lines (default) or a WebSocket to the web port (`--transport ws`, JSON only). */
  transport?: BenchTransport;
  /** TLS without certificate checks (`papo bench --tls`). */
  tls?: boolean;
}

/** A short random prefix, so a bench's names never collide with real users or another bench. */
export function namePrefix(): string {
  return `b${randomBytes(3).toString('hex')}`;
}

/** Clients 0..count-1 see every line they receive once joined (to count notices). */
export interface Observers {
  count: number;
  onLine: (receiver: number, line: string) => void;
}

/**
 * Opens `count` clients with at most `window` joining at once; resolves with them in index
 * order, or rejects (closing those already open) once one fails. `onJoined` sees each count.
 * Client 0 joins first, alone: against a server that welcomes nobody (`ideal-c`: only the
 * others hear of a join) it counts as joined once named, and the others once it sees their
 * join notices.
 */
export async function openClients(
  endpoint: Endpoint,
  count: number,
  window: number,
  joinTimeoutMs: number,
  prefix: string,
  onToken: TokenHandler | undefined,
  onJoined: (joined: number) => void = () => {},
  roomOf: (index: number) => string | undefined = () => undefined,
  observers?: Observers,
): Promise<BenchClient[]> {
  const clients: BenchClient[] = new Array<BenchClient>(count);
  /** Silent joiners waiting for client 0 to see their join notice, by name. */
  const awaiting = new Map<string, BenchClient>();
  let next = 0;
  let joined = 0;
  let failure: Error | null = null;
  const hookOf = (index: number) =>
    observers && index < observers.count ? (line: string) => observers.onLine(index, line) : null;
  const open = async (index: number): Promise<void> => {
    try {
      const client = await BenchClient.open({
        ...endpoint,
        index,
        name: `${prefix}-${index}`,
        joinTimeoutMs,
        onToken,
        room: roomOf(index),
        silentJoin: index === 0 ? 'self' : 'observer',
        onAwaitingJoin: (c) => awaiting.set(c.name, c),
      });
      client.onLine = hookOf(index);
      clients[index] = client;
      onJoined(++joined);
    } catch (err) {
      failure ??= new Error(`client ${index} could not join: ${(err as Error).message}`);
    }
  };
  const worker = async (): Promise<void> => {
    while (next < count && failure === null) await open(next++);
  };
  await open(next++);
  const first = clients[0];
  if (first?.joinedSilently) {
    const own = hookOf(0);
    first.onLine = (line) => {
      const name = joinNoticeName(line);
      const waiting = name === null ? undefined : awaiting.get(name);
      if (waiting) {
        awaiting.delete(name!);
        waiting.confirmJoined();
      }
      own?.(line);
    };
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(window, count - 1)) }, worker));
  if (first) first.onLine = hookOf(0);
  if (failure !== null) {
    closeClients(clients);
    throw failure;
  }
  return clients;
}

/** How a scenario's clients join, from its options. */
export interface JoinOptions {
  clients: number;
  joinWindow: number;
  joinTimeoutMs: number;
  /** Rooms the clients are spread over (client i in `#r{i % rooms}`); 0: none, all in the default room. */
  rooms?: number;
}

/** The room of client `index` when clients are spread over `rooms` rooms. */
export function benchRoom(index: number, rooms: number): string {
  return `#r${index % rooms}`;
}

/**
 * Opens a scenario's `clients` under a fresh name prefix (see `openClients`); resolves with
 * them and the seconds it took for all of them to join.
 */
export async function joinClients(
  endpoint: Endpoint,
  o: JoinOptions,
  onToken: TokenHandler,
  onJoined: (joined: number) => void,
  observers?: Observers,
  prefix = namePrefix(),
): Promise<{ clients: BenchClient[]; joinS: number }> {
  const t0 = nowUs();
  const clients = await openClients(
    endpoint,
    o.clients,
    o.joinWindow,
    o.joinTimeoutMs,
    prefix,
    onToken,
    onJoined,
    (i) => (o.rooms ? benchRoom(i, o.rooms) : undefined),
    observers,
  );
  return { clients, joinS: (nowUs() - t0) / 1e6 };
}

/** Destroys every client's socket. */
export function closeClients(clients: Array<BenchClient | undefined>): void {
  for (const c of clients) c?.destroy();
}
