import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Refusal } from '../admission.js';
import type { Transport } from '../transport.js';
import { clientAddress } from './client-address.js';
import { createRequestHandler, WS_PATH } from './http-handler.js';
import { isAllowedOrigin, type OriginPolicy } from './origin.js';
import type { StaticFile } from './static-files.js';
import { WsTransport } from './ws-transport.js';

/** Largest WebSocket message accepted, in bytes: a longer one closes the socket (1009). */
export const MAX_WS_PAYLOAD_BYTES = 16 * 1024;
/** Largest request head, in bytes: a bigger one is answered 431 without being read further. */
export const MAX_HEADER_BYTES = 8 * 1024;

export interface WebListenerOptions {
  files: ReadonlyMap<string, StaticFile>;
  host: string;
  port: number;
  /** PEM certificate and key: serve HTTPS and WSS instead of HTTP and WS. */
  tls: { cert: string; key: string; minVersion: 'TLSv1.2' } | null;
  extraOrigins: readonly string[];
  trustProxy: boolean;
  /** Seconds between WebSocket-level pings; a socket that missed one is cut. */
  heartbeatSeconds: number;
  log: Logger;
  /** The server's way in for every transport (PapoServer): admission, then accept or refuse. */
  gate: TransportGate;
  /** File transfer's HTTP side (`/u/`, `/f/`; src/server/files), when on. */
  fileRoutes?: { route(req: IncomingMessage, res: ServerResponse): boolean };
}

/**
 * What the listener needs from the server: `admit` counts the upgrade's socket under
 * `--max-clients` and `--max-per-ip` (by the client's address, which `--trust-proxy` may take
 * from `X-Forwarded-For`) until it closes; a refused WebSocket is still upgraded, so the browser
 * can be told why in a frame, then closed.
 */
export interface TransportGate {
  admit(socket: Socket, ip?: string): Refusal | null;
  refuse(transport: Transport, refusal: Refusal): void;
  accept(transport: Transport): void;
}

export interface WebListener {
  server: Server;
  address: AddressInfo;
  url: string;
  /** Stops accepting and cuts every WebSocket still open. */
  close(): Promise<void>;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/** Serves the app and its WebSocket on one port (docs/WEB.md). */
export async function startWebListener(options: WebListenerOptions): Promise<WebListener> {
  const { log } = options;
  const handler = createRequestHandler(options.files, options.fileRoutes?.route);
  // An upload may take longer than Node's 5-minute whole-request limit: the file routes cut
  // idle uploads themselves, and headers still have their own timeout.
  const serverOptions = { maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: options.fileRoutes ? 0 : 300_000 };
  const server: Server = options.tls
    ? createHttpsServer({ ...serverOptions, ...options.tls }, handler)
    : createHttpServer(serverOptions, handler);
  const policy: OriginPolicy = {
    scheme: options.tls ? 'https:' : 'http:',
    extraOrigins: options.extraOrigins.map((o) => o.toLowerCase()),
    loopbackOnly: isLoopbackHost(options.host),
  };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WS_PAYLOAD_BYTES,
    perMessageDeflate: false, // compression costs memory per socket and leaks lengths (CRIME)
    clientTracking: false,
  });
  const transports = new Set<WsTransport>();

  // A malformed or oversized request head never reaches the handler: answer it here, or Node's
  // default would, and never let it throw.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    socket.on('error', () => {});
    if (!socket.writable) return void socket.destroy();
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    refuseUpgrade(socket, status);
  });
  // One listener for every upgraded socket: a closure made here would keep this handler's
  // scope (the request and its headers) alive for as long as the socket is open.
  const onUpgradeSocketError = (err: Error): void =>
    log.debug({ err: err.message }, 'web: upgrade socket error');
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', onUpgradeSocketError);
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) return refuseUpgrade(socket, '404 Not Found');
    if (!isAllowedOrigin(req, policy)) {
      log.info(
        { origin: req.headers.origin, host: req.headers.host },
        'web: WebSocket from a foreign origin refused',
      );
      return refuseUpgrade(socket, '403 Forbidden');
    }
    const address = clientAddress(req, options.trustProxy);
    const refusal = options.gate.admit(req.socket, address);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      req.socket.setNoDelay(true);
      // No closure per connection outlives this callback: one would keep the upgrade request
      // (its headers) alive as long as the socket, several KiB per idle WebSocket.
      const transport = new WsTransport(transports, ws, socket, address, MAX_WS_PAYLOAD_BYTES);
      if (refusal === null) options.gate.accept(transport);
      else options.gate.refuse(transport, refusal);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Only once bound: a failure to bind is the caller's one clear line, not also a log record.
  server.on('error', (err) => log.error({ err: err.message }, 'web listener error'));
  // WebSocket-level pings find browsers that vanished without a close (sleeping laptops, lost
  // networks); the JSON heartbeat still runs on top, as for every JSON client.
  const heartbeat = setInterval(() => {
    for (const t of transports) {
      if (!t.isAlive) t.destroy();
      else t.ping();
    }
  }, options.heartbeatSeconds * 1000);
  heartbeat.unref();

  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    address,
    url: `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        for (const t of transports) t.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
