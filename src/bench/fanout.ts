import { nowUs, type BenchClient } from './bench-client.js';
import { closeClients, joinClients, type Endpoint } from './clients.js';
import { makeToken } from './payload.js';
import { CpuMeter } from './proc.js';
import type { Progress } from './progress.js';
import { DeliveryTracker, Histogram } from './stats.js';

export interface FanoutOptions {
  /** Clients, senders included (2–20,000). */
  clients: number;
  /** Clients that send (1–clients). */
  senders: number;
  /** Total messages per second over all senders (the starting rate with findMax). */
  rate: number;
  /** Seconds each trial sends for. */
  durationS: number;
  /** Message size in bytes (the token, padded). */
  size: number;
  /** Seconds to wait after a trial for late deliveries. */
  drainS: number;
  findMax: boolean;
  /** Highest rate find-max tries. */
  maxRate: number;
  /** find-max's latency limit: a trial with a higher p99 fails. */
  p99LimitMs: number;
  /** Most trials find-max runs. */
  maxTrials: number;
  /** Seconds of sending at the first rate before any trial, not reported (JIT, caches, buffers). */
  warmupS: number;
  joinWindow: number;
  joinTimeoutMs: number;
  /**
   * Rooms the clients are spread over (client i in room i % rooms; clients a multiple of it);
   * the first `rooms` clients send, one per room, each message to a random room. 0: one room.
   */
  rooms: number;
  serverPid?: number;
}

/** One trial at a fixed rate. Latencies in µs. */
export interface TrialResult {
  rate: number;
  durationS: number;
  planned: number;
  sent: number;
  expected: number;
  received: number;
  lost: number;
  reordered: number;
  duplicates: number;
  echoes: number;
  malformed: number;
  /** Deliveries to a client outside the message's room (with rooms): each one is a failure. */
  misrouted: number;
  deliveredPerS: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
  /** How late the sender was against its schedule, 99th percentile (µs). */
  sendLagP99Us: number;
  /** The offered rate was held: under 1% unsent and send lag p99 under 20 ms. */
  held: boolean;
  disconnects: number;
  benchCpuPct: number;
  serverCpuPct: number | null;
  /**
   * The server's CPU time per delivery in µs, from the trial's start through its drain (null
   * without --server-pid): what a transport costs, on a machine too busy for find-max.
   */
  serverCpuUsPerDelivery: number | null;
  pass: boolean;
  /** Latency percentile curve, for charts. */
  curve: Array<{ p: number; us: number }>;
}

export interface FanoutResult {
  scenario: 'fanout';
  clients: number;
  senders: number;
  joinS: number;
  trials: TrialResult[];
  /** With findMax: the passing trial with the highest rate, if any. */
  best: TrialResult | null;
}

/** Most messages one pacing tick sends, so receivers are never starved. */
const MAX_PER_TICK = 20_000;

interface TrialState {
  tracker: DeliveryTracker;
  latency: Histogram;
  lastRxUs: number;
  expected: number;
  active: boolean;
  onAllIn: (() => void) | null;
  misrouted: number;
}

/** Runs the fanout scenario: join, then one trial or a find-max search; always closes clients. */
export async function runFanout(
  endpoint: Endpoint,
  o: FanoutOptions,
  progress: Progress,
): Promise<FanoutResult> {
  const state: TrialState = {
    tracker: new DeliveryTracker(o.clients, o.senders),
    latency: new Histogram(),
    lastRxUs: 0,
    expected: 0,
    active: false,
    onAllIn: null,
    misrouted: 0,
  };
  const onToken = (receiver: number, sender: number, seq: number, dueUs: number, atUs: number): void => {
    if (!state.active || sender >= o.senders) return;
    if (o.rooms > 0 && receiver % o.rooms !== sender % o.rooms) {
      state.misrouted++;
      return;
    }
    const kind = state.tracker.record(receiver, sender, seq, receiver === sender);
    if (kind === 'in_order' || kind === 'reordered') {
      state.latency.record(atUs - dueUs);
      state.lastRxUs = atUs;
      if (state.tracker.received >= state.expected && state.onAllIn) state.onAllIn();
    }
  };
  const { clients, joinS } = await joinClients(endpoint, o, onToken, (n) =>
    progress.update(`fanout: joining ${n}/${o.clients}`),
  );
  const trials: TrialResult[] = [];
  let best: TrialResult | null = null;
  const seqNext = new Float64Array(o.senders).fill(1);
  try {
    const run = async (rate: number): Promise<TrialResult> => {
      const r = await runTrial(clients, o, rate, seqNext, state, progress);
      trials.push(r);
      progress.line(trialLine(r));
      return r;
    };
    if (o.warmupS > 0) {
      progress.line(`fanout: warming up for ${o.warmupS} s at ${o.rate} msgs/s (not reported)`);
      await runTrial(
        clients,
        { ...o, durationS: o.warmupS, drainS: Math.min(o.drainS, 2) },
        o.rate,
        seqNext,
        state,
        progress,
      );
    }
    if (!o.findMax) {
      await run(o.rate);
    } else {
      best = await findMax(o, run);
    }
  } finally {
    progress.done();
    closeClients(clients);
  }
  return { scenario: 'fanout', clients: o.clients, senders: o.senders, joinS, trials, best };
}

/**
 * Doubles the rate from `o.rate` while trials pass, then bisects between the last pass and the
 * first failure until they are within 8%; stops at `o.maxTrials` trials, `o.maxRate`, or a
 * trial that lost clients.
 */
export async function findMax(
  o: Pick<FanoutOptions, 'rate' | 'maxRate' | 'maxTrials'>,
  run: (rate: number) => Promise<Pick<TrialResult, 'pass' | 'disconnects' | 'rate'>>,
): Promise<TrialResult | null> {
  let best: TrialResult | null = null;
  let lo = 0;
  let hi = 0;
  let rate = Math.min(o.rate, o.maxRate);
  let trials = 0;
  while (trials < o.maxTrials) {
    const t = (await run(rate)) as TrialResult;
    trials++;
    if (t.disconnects > 0) return best;
    if (t.pass) {
      best = t;
      lo = rate;
      if (hi > 0 || rate >= o.maxRate) break;
      rate = Math.min(rate * 2, o.maxRate);
    } else {
      hi = rate;
      if (lo > 0) break;
      if (rate <= 1) return null;
      rate = Math.max(1, Math.floor(rate / 2));
    }
  }
  while (best !== null && hi > 0 && hi / lo > 1.08 && trials < o.maxTrials) {
    const mid = Math.round((lo + hi) / 2);
    const t = (await run(mid)) as TrialResult;
    trials++;
    if (t.disconnects > 0) break;
    if (t.pass) {
      best = t;
      lo = mid;
    } else hi = mid;
  }
  return best;
}

async function runTrial(
  clients: BenchClient[],
  o: FanoutOptions,
  rate: number,
  seqNext: Float64Array,
  state: TrialState,
  progress: Progress,
): Promise<TrialResult> {
  const planned = Math.max(1, Math.round(rate * o.durationS));
  const periodUs = 1e6 / rate;
  const lag = new Histogram();
  state.tracker.startTrial(seqNext);
  state.latency = new Histogram();
  state.lastRxUs = 0;
  // With rooms, each message reaches the other members of one room.
  state.expected = planned * ((o.rooms > 0 ? o.clients / o.rooms : o.clients) - 1);
  state.misrouted = 0;
  const alive0 = clients.filter((c) => c.state === 'joined').length;
  const cpu = new CpuMeter(o.serverPid);
  const startUs = nowUs() + 20_000;
  const endUs = startUs + o.durationS * 1e6;
  let k = 0;
  state.active = true;

  // Open loop: message k is due at start + k/rate whatever happened to the ones before it.
  await new Promise<void>((resolve) => {
    const pending = new Array<string>(o.senders).fill('');
    const tick = (): void => {
      const now = nowUs();
      let budget = MAX_PER_TICK;
      while (k < planned && budget-- > 0) {
        const due = startUs + k * periodUs;
        if (due > now) break;
        const slot = o.rooms > 0 ? Math.floor(Math.random() * o.senders) : k % o.senders;
        pending[slot] += clients[slot]!.messageLine(makeToken(slot, seqNext[slot]!++, due, o.size));
        lag.record(now - due);
        k++;
      }
      for (let s = 0; s < o.senders; s++) {
        if (pending[s] !== '') clients[s]!.writeLines(pending[s]!);
        pending[s] = '';
      }
      const left = (endUs - now) / 1e6;
      progress.update(
        `fanout ${rate} msgs/s: ${left > 0 ? left.toFixed(0) : 0} s left, sent ${k}/${planned}, ` +
          `received ${state.tracker.received}/${state.expected}, p99 ${ms(state.latency.percentile(99))} ms`,
      );
      if (k >= planned || now >= endUs + 1e6) return resolve();
      const nextDue = startUs + k * periodUs;
      setTimeout(tick, Math.max(0, (nextDue - nowUs()) / 1000));
    };
    setTimeout(tick, 20);
  });
  // Messages still in the senders' socket buffers were not sent in time.
  const msgBytes = Buffer.byteLength(clients[0]!.messageLine(makeToken(0, 1, endUs, o.size)));
  const stuck = clients
    .slice(0, o.senders)
    .reduce((n, c) => n + Math.floor(c.socket.writableLength / msgBytes), 0);
  const usage = cpu.read();
  await drain(state, Math.max(endUs, nowUs()) + o.drainS * 1e6);
  state.active = false;
  const serverS = cpu.serverSeconds();

  const t = state.tracker;
  const received = t.received;
  const spanS = (Math.max(state.lastRxUs, endUs) - startUs) / 1e6;
  const sent = Math.max(0, k - stuck);
  const held = planned - sent <= planned / 100 && lag.percentile(99) < 20_000;
  const alive1 = clients.filter((c) => c.state === 'joined').length;
  const lost = t.lost(state.expected);
  const p99Us = state.latency.percentile(99);
  const r: TrialResult = {
    rate,
    durationS: o.durationS,
    planned,
    sent,
    expected: state.expected,
    received,
    lost,
    reordered: t.reordered,
    duplicates: t.duplicates,
    echoes: t.echoes,
    malformed: clients.reduce((n, c) => n + c.malformed, 0),
    misrouted: state.misrouted,
    deliveredPerS: spanS > 0 ? received / spanS : 0,
    p50Us: state.latency.percentile(50),
    p90Us: state.latency.percentile(90),
    p99Us,
    maxUs: state.latency.max,
    meanUs: state.latency.mean,
    sendLagP99Us: lag.percentile(99),
    held,
    disconnects: alive0 - alive1,
    benchCpuPct: usage.benchPct,
    serverCpuPct: usage.serverPct,
    serverCpuUsPerDelivery: serverS !== null && received > 0 ? (serverS * 1e6) / received : null,
    pass: false,
    curve: state.latency.curve(),
  };
  r.pass =
    held &&
    lost === 0 &&
    r.misrouted === 0 &&
    r.disconnects === 0 &&
    r.reordered === 0 &&
    p99Us <= o.p99LimitMs * 1000;
  for (const c of clients) c.malformed = 0;
  return r;
}

/** Waits until every expected delivery is in, or the deadline (µs) passes. */
function drain(state: TrialState, deadlineUs: number): Promise<void> {
  if (state.tracker.received >= state.expected) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(finish, Math.max(0, (deadlineUs - nowUs()) / 1000));
    function finish(): void {
      clearTimeout(timer);
      state.onAllIn = null;
      resolve();
    }
    state.onAllIn = finish;
  });
}

function ms(us: number): string {
  return Number.isNaN(us) ? '-' : (us / 1000).toFixed(1);
}

/** One line per finished trial, for the progress output. */
export function trialLine(r: TrialResult): string {
  return (
    `fanout ${r.rate} msgs/s: ${Math.round(r.deliveredPerS)} deliveries/s, lost ${r.lost}, ` +
    `reordered ${r.reordered}, p50 ${ms(r.p50Us)} ms, p99 ${ms(r.p99Us)} ms, ` +
    `held ${r.held ? 'yes' : 'no'}: ${r.pass ? 'pass' : 'FAIL'}`
  );
}
