import type { Socket } from 'node:net';

/** The limits admission applies, as `papo server` names them. */
export interface AdmissionLimits {
  /** Most connections at once, on every listener together (`--max-clients`). */
  maxClients: number;
  /** Most connections from one address (`--max-per-ip`; 0: no limit). */
  maxPerIp: number;
  /** Whether loopback addresses are held to maxPerIp too (`--limit-loopback`). */
  limitLoopback: boolean;
}

/** Why a connection was turned away: the error code and the limit it hit. */
export interface Refusal {
  code: 'SERVER_FULL' | 'TOO_MANY_FROM_ADDRESS';
  limit: number;
}

/** The address an admitted socket was counted under (remoteAddress is gone once it closes). */
const COUNTED_IP = Symbol('papo.countedIp');
type CountedSocket = Socket & { [COUNTED_IP]?: string };

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * Counts open connections, in all and per address, from the moment the TCP connection is
 * accepted (a TLS one before its handshake: #18) until its socket closes, and decides which
 * are refused under `--max-clients` and `--max-per-ip`. Shared by every listener.
 */
export class Admission {
  private readonly perIp = new Map<string, number>();
  private open = 0;
  /** One close listener for every admitted socket, not a closure per connection. */
  private readonly onSocketClose: (this: CountedSocket) => void;

  constructor(private readonly limits: AdmissionLimits) {
    const release = (ip: string) => this.release(ip);
    this.onSocketClose = function (this: CountedSocket) {
      const ip = this[COUNTED_IP];
      if (ip !== undefined) release(ip);
    };
  }

  /** Connections counted now: open sockets, handshaking or not. */
  get count(): number {
    return this.open;
  }

  /**
   * Counts `socket` in until it closes, or says why it may not come in (it is then not counted
   * and the caller closes it).
   */
  admit(socket: Socket): Refusal | null {
    const { maxClients, maxPerIp, limitLoopback } = this.limits;
    if (this.open >= maxClients) return { code: 'SERVER_FULL', limit: maxClients };
    const ip = socket.remoteAddress ?? '';
    const fromIp = this.perIp.get(ip) ?? 0;
    const countsForIp = maxPerIp > 0 && (limitLoopback || !isLoopback(ip));
    if (countsForIp && fromIp >= maxPerIp) return { code: 'TOO_MANY_FROM_ADDRESS', limit: maxPerIp };
    this.open++;
    this.perIp.set(ip, fromIp + 1);
    (socket as CountedSocket)[COUNTED_IP] = ip;
    socket.on('close', this.onSocketClose);
    return null;
  }

  private release(ip: string): void {
    this.open--;
    const left = (this.perIp.get(ip) ?? 1) - 1;
    if (left <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, left);
  }
}
