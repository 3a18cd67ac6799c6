import { nowUs } from './bench-client.js';
import { closeClients, joinClients, namePrefix, type Endpoint } from './clients.js';
import { runLeaveStorm, LeaveTally, type LeaveResult } from './leave.js';
import { LeaveNoticeCounter } from './leave-notices.js';
import { makeToken } from './payload.js';
import { readRssKiB } from './proc.js';
import type { Progress } from './progress.js';
import { Histogram } from './stats.js';

export interface IdleOptions {
  /** Clients that join and stay (2–60,000). */
  clients: number;
  joinWindow: number;
  joinTimeoutMs: number;
  /** Seconds to wait for the broadcast to reach everyone. */
  broadcastTimeoutS: number;
  /**
   * Clients kept open when the others all leave at once, counting the leave notices (0: no
   * leave storm, the default).
   */
  leaveObservers?: number;
  /** Seconds to wait for the leave notices and the server's CPU to settle (default 60). */
  leaveTimeoutS?: number;
  serverPid?: number;
}

export interface IdleResult {
  scenario: 'idle';
  clients: number;
  joined: number;
  joinS: number;
  /** Server RSS before the clients connected and after they joined (KiB), with --server-pid. */
  rssBeforeKiB: number | null;
  rssAfterKiB: number | null;
  rssPerConnectionKiB: number | null;
  /** How many of the others got the one broadcast, and when (ms after it was sent). */
  broadcastReceived: number;
  broadcastP50Ms: number;
  broadcastLastMs: number;
  /** The leave storm after it (null with no observers). */
  leave: LeaveResult | null;
}

/** Lets the server settle after the joins (the join notices are still being written). */
const SETTLE_MS = 1000;

/**
 * C clients join and stay idle; then one of them says one line and we time its arrival; then
 * all but a few observers leave at once, and we time the notices and the server's CPU.
 */
export async function runIdle(endpoint: Endpoint, o: IdleOptions, progress: Progress): Promise<IdleResult> {
  const rssBeforeKiB = o.serverPid === undefined ? null : readRssKiB(o.serverPid);
  const got = new Uint8Array(o.clients);
  const latency = new Histogram();
  let received = 0;
  let lastUs = 0;
  let sentUs = 0;
  let onAll: (() => void) | null = null;
  const onToken = (receiver: number, sender: number, _seq: number, _due: number, atUs: number): void => {
    if (sentUs === 0 || sender !== 0 || receiver === 0 || got[receiver] === 1) return;
    got[receiver] = 1;
    received++;
    lastUs = atUs;
    latency.record(atUs - sentUs);
    if (received === o.clients - 1) onAll?.();
  };
  const prefix = namePrefix();
  const leaveObservers = Math.min(o.leaveObservers ?? 0, o.clients - 1);
  const tally = new LeaveTally(leaveObservers);
  const counter = new LeaveNoticeCounter(prefix);
  const { clients, joinS } = await joinClients(
    endpoint,
    o,
    onToken,
    (n) => progress.update(`idle: joined ${n}/${o.clients}`),
    { count: leaveObservers, onLine: (receiver, line) => tally.add(receiver, counter.count(line)) },
    prefix,
  );
  try {
    progress.line(`idle: ${o.clients} clients joined in ${joinS.toFixed(2)} s`);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const rssAfterKiB = o.serverPid === undefined ? null : readRssKiB(o.serverPid);
    const joined = clients.filter((c) => c.state === 'joined').length;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, o.broadcastTimeoutS * 1000);
      function done(): void {
        clearTimeout(timer);
        onAll = null;
        resolve();
      }
      onAll = done;
      sentUs = nowUs();
      clients[0]!.writeLines(clients[0]!.messageLine(makeToken(0, 1, sentUs)));
    });
    let leave: LeaveResult | null = null;
    if (leaveObservers > 0) {
      progress.update(`idle: ${o.clients - leaveObservers} clients leave at once`, true);
      leave = await runLeaveStorm(clients, tally, (o.leaveTimeoutS ?? 60) * 1000, o.serverPid);
    }
    const perConn =
      rssBeforeKiB !== null && rssAfterKiB !== null && joined > 0
        ? (rssAfterKiB - rssBeforeKiB) / joined
        : null;
    return {
      scenario: 'idle',
      clients: o.clients,
      joined,
      joinS,
      rssBeforeKiB,
      rssAfterKiB,
      rssPerConnectionKiB: perConn,
      broadcastReceived: received,
      broadcastP50Ms: latency.percentile(50) / 1000,
      broadcastLastMs: received > 0 ? (lastUs - sentUs) / 1000 : NaN,
      leave,
    };
  } finally {
    progress.done();
    closeClients(clients);
  }
}
