import { readFileSync } from 'node:fs';

/** Clock ticks per second in /proc/PID/stat (USER_HZ: 100 on every Linux build in use). */
const TICKS_PER_SECOND = 100;

/** A local server's resident memory in KiB (Linux /proc), or null where it cannot be read. */
export function readRssKiB(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** A local server's CPU time so far in seconds (user + system), or null. */
export function readCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing paren are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}

/** Measures the CPU use of this process and, if given, a local server over an interval. */
export class CpuMeter {
  private readonly t0 = performance.now();
  private readonly self0 = process.cpuUsage();
  private readonly server0: number | null;

  constructor(private readonly serverPid?: number) {
    this.server0 = serverPid === undefined ? null : readCpuSeconds(serverPid);
  }

  /** The server's CPU seconds since construction (null if unknown): with the drain, per delivery. */
  serverSeconds(): number | null {
    if (this.serverPid === undefined || this.server0 === null) return null;
    const now = readCpuSeconds(this.serverPid);
    return now === null ? null : now - this.server0;
  }

  /** Percent of one core used since construction: { bench, server (null if unknown) }. */
  read(): { benchPct: number; serverPct: number | null } {
    const wall = (performance.now() - this.t0) / 1000;
    const self = process.cpuUsage(this.self0);
    const benchPct = wall > 0 ? ((self.user + self.system) / 1e6 / wall) * 100 : 0;
    let serverPct: number | null = null;
    if (this.serverPid !== undefined && this.server0 !== null) {
      const now = readCpuSeconds(this.serverPid);
      if (now !== null && wall > 0) serverPct = ((now - this.server0) / wall) * 100;
    }
    return { benchPct, serverPct };
  }
}
