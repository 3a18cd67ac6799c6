import type { AddressInfo, Server } from 'node:net';
import type { Logger } from 'pino';

/** A burst of dropped connections ends after this long without one (ms). */
const BURST_QUIET_MS = 1000;

/**
 * Logs the connections a listener closes unanswered, once per burst instead of once each: Node
 * closes a new connection past `maxConnections` ('drop'), and reports EMFILE/ENFILE from accept
 * as 'error' when libuv cannot close it for us. A second line gives the burst's count when it
 * is over. Any other listener error is logged as it comes.
 */
export function logListenerDrops(server: Server, log: Logger): void {
  let dropped = 0;
  let droppedSinceCheck = 0;
  let timer: NodeJS.Timeout | null = null;
  const port = () => (server.address() as AddressInfo | null)?.port;
  const check = (): void => {
    if (droppedSinceCheck > 0) {
      droppedSinceCheck = 0;
      timer = setTimeout(check, BURST_QUIET_MS).unref();
      return;
    }
    log.warn({ port: port(), dropped }, 'connections dropped: burst over');
    dropped = 0;
    timer = null;
  };
  const onDrop = (reason: string): void => {
    dropped++;
    droppedSinceCheck++;
    if (timer !== null) return;
    droppedSinceCheck = 0;
    log.warn({ port: port(), reason }, 'connections dropped: too many open at once');
    timer = setTimeout(check, BURST_QUIET_MS).unref();
  };
  server.on('drop', () => onDrop('maxConnections'));
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EMFILE' || err.code === 'ENFILE') return onDrop(err.code);
    log.error({ err: err.message }, 'listener error');
  });
}
