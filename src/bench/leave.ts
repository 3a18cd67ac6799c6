import type { BenchClient } from './bench-client.js';
import { nowUs } from './bench-client.js';
import { readCpuSeconds } from './proc.js';

/**
 * How often the server's CPU time is sampled while it works through a leave storm: /proc
 * counts in 10 ms ticks, so a shorter sample would call a server busy for two ticks of
 * housekeeping (a timer, a GC thread).
 */
const CPU_SAMPLE_MS = 250;
/** A sample above this share of one core counts as busy (an idle papo server uses ~0). */
const BUSY_SHARE = 0.1;
/** The server counts as idle again after this long without a busy sample. */
const QUIET_MS = 1000;

/** What the leave storm measured (times in ms after the sockets were closed). */
export interface LeaveResult {
  /** Clients whose sockets were closed at once. */
  left: number;
  /** Clients kept open to count the notices. */
  observers: number;
  /** The fewest leaves any observer was told about (by one line each or in summaries). */
  noticesSeen: number;
  /** When the last observer had been told of every leave; NaN if one never was. */
  noticesMs: number;
  /** When the server's CPU went idle for good (the end of its last busy sample); null: unknown. */
  cpuIdleMs: number | null;
  /** Server CPU seconds spent from the close until the quiet second ended; null: unknown. */
  serverCpuS: number | null;
}

/** The observers' counts of leave notices, and a promise for when all have seen the storm's. */
export class LeaveTally {
  readonly counts: number[];
  /** Per observer, the count that means it has seen every leave (none asked for yet). */
  private targets: number[];
  /** Leaves asked for by `expect`. */
  private expected = 0;
  private remaining = 0;
  private doneAtUs = NaN;
  private resolveAll: (() => void) | null = null;

  constructor(observers: number) {
    this.counts = new Array<number>(observers).fill(0);
    this.targets = this.counts.map(() => Infinity);
  }

  /** Observer `receiver` was told of `n` more leaves. */
  add(receiver: number, n: number): void {
    if (n === 0 || receiver >= this.counts.length) return;
    const before = this.counts[receiver]!;
    const target = this.targets[receiver]!;
    this.counts[receiver] = before + n;
    if (before < target && before + n >= target) this.observerDone();
  }

  /** Leaves each observer was told of beyond what it had when `expect` was called (the fewest). */
  seen(): number {
    return Math.min(...this.counts.map((c, i) => c - (this.targets[i]! - this.expected)));
  }

  /** Resolves (with the time, µs) when every observer has been told of `more` leaves from now. */
  expect(more: number): Promise<number> {
    this.expected = more;
    this.targets = this.counts.map((c) => c + more);
    this.remaining = this.counts.length;
    return new Promise((resolve) => {
      this.resolveAll = () => resolve(this.doneAtUs);
      if (more <= 0) {
        this.remaining = 1;
        this.observerDone();
      }
    });
  }

  private observerDone(): void {
    this.remaining = Math.max(0, this.remaining - 1);
    if (this.remaining > 0 || this.resolveAll === null) return;
    this.doneAtUs = nowUs();
    this.resolveAll();
  }
}

/**
 * Samples a server's CPU time until it has used less than a tenth of a core for `QUIET_MS`
 * (after `until` has settled, so notices still on their way count) or `timeoutMs` passed;
 * resolves with the end of its last busy sample (µs) and the CPU seconds used in all, or null
 * if its CPU cannot be read.
 */
export function watchCpuIdle(
  pid: number,
  startUs: number,
  timeoutMs: number,
  until: Promise<unknown>,
): Promise<{ idleAtUs: number; cpuS: number } | null> {
  const cpu0 = readCpuSeconds(pid);
  if (cpu0 === null) return Promise.resolve(null);
  let settled = false;
  void until.then(() => (settled = true));
  return new Promise((resolve) => {
    let last = cpu0;
    let lastAtUs = startUs;
    let busyEndUs = startUs;
    const timer = setInterval(() => {
      const now = nowUs();
      const cpu = readCpuSeconds(pid);
      if (cpu === null) return finish();
      const intervalS = (now - lastAtUs) / 1e6;
      if (intervalS > 0 && (cpu - last) / intervalS > BUSY_SHARE) busyEndUs = now;
      last = cpu;
      lastAtUs = now;
      const quiet = (now - busyEndUs) / 1000 >= QUIET_MS;
      if ((settled && quiet) || (now - startUs) / 1000 >= timeoutMs) finish();
    }, CPU_SAMPLE_MS);
    function finish(): void {
      clearInterval(timer);
      resolve({ idleAtUs: busyEndUs, cpuS: last - cpu0! });
    }
  });
}

/**
 * Closes every client but the first `tally.counts.length` at once (as a network blip or a
 * restart would) and times (a) until each observer has been told of every departure and (b)
 * until the server's CPU is idle again (with its pid). Waits at most `timeoutMs`.
 */
export async function runLeaveStorm(
  clients: BenchClient[],
  tally: LeaveTally,
  timeoutMs: number,
  serverPid: number | undefined,
): Promise<LeaveResult> {
  const observers = tally.counts.length;
  const leavers = clients.slice(observers);
  const t0 = nowUs();
  for (const c of leavers) c.destroy();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(NaN), timeoutMs)));
  // Leaves told before the close (none expected) are not this storm's.
  const notices = Promise.race([tally.expect(leavers.length), timeout]);
  const cpu = serverPid === undefined ? null : watchCpuIdle(serverPid, t0, timeoutMs, notices);
  const doneUs = await notices;
  const idle = cpu === null ? null : await cpu;
  clearTimeout(timer);
  return {
    left: leavers.length,
    observers,
    noticesSeen: tally.seen(),
    noticesMs: (doneUs - t0) / 1000,
    cpuIdleMs: idle === null ? null : (idle.idleAtUs - t0) / 1000,
    serverCpuS: idle === null ? null : idle.cpuS,
  };
}
