import type { ChurnResult } from './churn.js';
import type { FanoutResult, TrialResult } from './fanout.js';
import type { IdleResult } from './idle.js';
import type { LeaveResult } from './leave.js';

/** What any scenario returns. */
export type BenchResult = FanoutResult | IdleResult | ChurnResult;

function num(n: number | null, digits = 0): string {
  if (n === null || Number.isNaN(n)) return '-';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ms(us: number): string {
  return num(us / 1000, 1);
}

/** Pads columns to their widest cell; the first row is the header. */
export function formatTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  // Labels (the first column) align left, figures right.
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const header = rows[0] ?? [];
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function trialRow(t: TrialResult): string[] {
  return [
    num(t.rate),
    num(t.deliveredPerS),
    num(t.lost),
    num(t.reordered),
    ms(t.p50Us),
    ms(t.p90Us),
    ms(t.p99Us),
    ms(t.maxUs),
    t.held ? 'yes' : 'no',
    num(t.benchCpuPct),
    num(t.serverCpuPct),
    t.pass ? 'pass' : t.disconnects > 0 ? 'FAIL (disconnects)' : 'FAIL',
  ];
}

function idleRows(result: IdleResult): string[][] {
  return [
    ['idle', ''],
    ['clients joined', `${num(result.joined)} of ${num(result.clients)}`],
    ['time to join all', `${result.joinS.toFixed(2)} s`],
    ['server RSS before / after', `${num(result.rssBeforeKiB)} / ${num(result.rssAfterKiB)} KiB`],
    ['server RSS per connection', `${num(result.rssPerConnectionKiB, 2)} KiB`],
    ['broadcast received', `${num(result.broadcastReceived)} of ${num(result.clients - 1)}`],
    ['broadcast p50 / last', `${num(result.broadcastP50Ms, 1)} / ${num(result.broadcastLastMs, 1)} ms`],
  ];
}

/** The leave storm's rows; `pidKnown`: whether the server's CPU could be read at all. */
function leaveRows(leave: LeaveResult | null, pidKnown: boolean): string[][] {
  if (leave === null) return [];
  const cpuIdle =
    leave.cpuIdleMs !== null
      ? `${num(leave.cpuIdleMs)} ms (${num(leave.serverCpuS, 2)} CPU s)`
      : pidKnown
        ? 'unknown (CPU not readable)'
        : 'unknown (no --server-pid)';
  return [
    ['clients left at once', `${num(leave.left)} (${num(leave.observers)} observers stayed)`],
    ['leave notices seen (fewest)', `${num(leave.noticesSeen)} of ${num(leave.left)}`],
    ['all notices delivered after', `${num(leave.noticesMs)} ms`],
    ['server CPU idle after', cpuIdle],
  ];
}

/** The human-readable report printed at the end of a run. */
export function formatReport(result: BenchResult): string {
  switch (result.scenario) {
    case 'fanout': {
      const header = [
        'msgs/s',
        'deliveries/s',
        'lost',
        'reordered',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'held',
        'bench cpu%',
        'server cpu%',
        'result',
      ];
      const lines = [
        `fanout: ${result.clients} clients, ${result.senders} senders, joined in ${result.joinS.toFixed(2)} s`,
        formatTable([header, ...result.trials.map(trialRow)]),
      ];
      if (result.trials.length > 1 || result.best) {
        lines.push(
          result.best
            ? `max sustained: ${num(result.best.rate)} msgs/s = ${num(result.best.deliveredPerS)} deliveries/s ` +
                `(p99 ${ms(result.best.p99Us)} ms, no loss)`
            : 'max sustained: none (every trial failed)',
        );
      }
      return lines.join('\n');
    }
    case 'idle':
      return formatTable([...idleRows(result), ...leaveRows(result.leave, result.rssAfterKiB !== null)]);
    case 'churn':
      return formatTable([
        ['churn', ''],
        ['workers', num(result.workers)],
        ['sessions', `${num(result.sessions)} (${num(result.failed)} failed)`],
        ['sessions/s', num(result.sessionsPerS)],
        ['session p50 / p99', `${num(result.sessionP50Ms, 2)} / ${num(result.sessionP99Ms, 2)} ms`],
        ...(result.firstError ? [['first failure', result.firstError]] : []),
      ]);
  }
}

/** The machine-readable report (`--json`): one JSON object, NaN as null. */
export function formatJson(result: BenchResult, meta: Record<string, unknown>): string {
  return JSON.stringify({ tool: 'papo-bench', ...meta, ...result }, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
}
