import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_BUSY_ROOM,
  DEFAULT_MAX_ROOMS,
  DEFAULT_MAX_ROOMS_PER_USER,
  DEFAULT_ROOM,
} from '../core/hub.js';
import type { Lang } from '../protocol/texts.js';
import { ACCOUNT_DEFAULTS, type AccountOptions } from './accounts-cli.js';
import { FILES_DEFAULTS, type FilesOptions } from './files/options.js';
import { WEB_DEFAULTS, type WebOptions } from './web/options.js';

/**
 * Everything `papo server` can be told; the CLI fills it from flags and PAPO_* variables. The web
 * UI's options (`--web-port`, `--no-web`, ...) are declared in src/server/web/options.ts.
 */
export interface ServerOptions extends WebOptions, AccountOptions, FilesOptions {
  host: string;
  port: number;
  dataDir: string;
  lang: Lang;
  logLevel: string;
  /** Most connections at once (named or not). */
  maxClients: number;
  /** Most connections from one IP address (0: no limit). */
  maxPerIp: number;
  /** Whether loopback addresses are held to maxPerIp too. */
  limitLoopback: boolean;
  /** Seconds a connection may take to give its name. */
  nameTimeoutSeconds: number;
  /** Seconds between heartbeats to JSON clients; one that stays silent twice as long is dropped. */
  heartbeatSeconds: number;
  /** Seconds of idleness before TCP keepalive probes start. */
  keepaliveSeconds: number;
  /** Bytes of unsent output a connection may pile up before it is dropped as not reading. */
  sendQueueBytes: number;
  /** Flood control: sustained line-units per second (0: off). */
  floodRate: number;
  /** Flood control: burst, in line-units. */
  floodBurst: number;
  /** Flood control: seconds of debt before disconnecting. */
  floodDisconnectSeconds: number;
  /** Whether message history is kept in `<dataDir>/papo.db` (`--no-history` turns it off). */
  history: boolean;
  /** Stored messages shown to a user who joins (0: none). */
  historyReplay: number;
  /** Most messages kept (0: no limit). */
  historyMaxMessages: number;
  /** Days a message is kept (0: no limit). */
  historyMaxDays: number;
  /** Whether the plain/JSON TCP listener runs (`--no-plain` turns it off). */
  plain: boolean;
  /** Whether a TLS listener runs beside the plain one. */
  tls: boolean;
  /** TLS port (0 picks a free one). */
  tlsPort: number;
  /** PEM certificate chain to serve; null: a self-signed one kept in `<dataDir>/tls/`. */
  tlsCert: string | null;
  /** PEM private key for tlsCert. */
  tlsKey: string | null;
  /** Seconds a client may take to finish the TLS handshake. */
  tlsHandshakeTimeoutSeconds: number;
  /** Seconds a joined user may send no line before being disconnected (0: no limit). */
  idleTimeoutSeconds: number;
  /** The room everyone starts in. */
  defaultRoom: string;
  /** Most rooms at once. */
  maxRooms: number;
  /** Most rooms one user may be in. */
  maxRoomsPerUser: number;
  /** Members past which a room's joins and leaves are summarised once a second (0: never). */
  busyRoom: number;
  /** Server operators' account names (`--ops`), besides those in `<data-dir>/ops`. */
  ops: string[];
}

/** Where papo keeps its state unless told otherwise: `$XDG_DATA_HOME/papo` or `~/.local/share/papo`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'papo');
}

export const DEFAULTS: Omit<ServerOptions, 'dataDir' | 'lang'> = {
  ...WEB_DEFAULTS,
  ...ACCOUNT_DEFAULTS,
  ...FILES_DEFAULTS,
  host: '127.0.0.1',
  port: 65432,
  logLevel: 'info',
  maxClients: 16384,
  maxPerIp: 16,
  limitLoopback: false,
  nameTimeoutSeconds: 60,
  heartbeatSeconds: 30,
  keepaliveSeconds: 30,
  sendQueueBytes: 1024 * 1024,
  floodRate: 10,
  floodBurst: 40,
  floodDisconnectSeconds: 10,
  history: true,
  historyReplay: 50,
  historyMaxMessages: 0,
  historyMaxDays: 0,
  plain: true,
  tls: false,
  tlsPort: 65433,
  tlsCert: null,
  tlsKey: null,
  tlsHandshakeTimeoutSeconds: 10,
  idleTimeoutSeconds: 0,
  defaultRoom: DEFAULT_ROOM,
  maxRooms: DEFAULT_MAX_ROOMS,
  maxRoomsPerUser: DEFAULT_MAX_ROOMS_PER_USER,
  busyRoom: DEFAULT_BUSY_ROOM,
  ops: [],
};
