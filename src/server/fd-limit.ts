import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { ServerOptions } from './options.js';

/** Descriptors kept for the process's own files: database, WAL, journal, listeners, worker, stdio (~30 at rest). */
export const RESERVED_FDS = 64;
/** Sockets kept, beyond --max-clients, for connections being told they are refused (one each while told). */
export const REFUSING_FDS = 64;

/** The open-file limits (RLIMIT_NOFILE); Infinity where unlimited. */
export interface FdLimits {
  soft: number;
  hard: number;
}

/** What the open-file limit leaves for connections. */
export interface FdBudget {
  /** Most sockets one listener keeps open (Node's `maxConnections`): past it Node closes new ones. */
  maxSockets: number;
  /** Most connections admitted at once. */
  maxClients: number;
}

/** Reads the "Max open files" line of a `/proc/<pid>/limits` text; null if it has none. */
export function parseFdLimits(text: string): FdLimits | null {
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (!m) return null;
  const value = (s: string | undefined) => (s === undefined || s === 'unlimited' ? Infinity : Number(s));
  return { soft: value(m[1]), hard: value(m[2]) };
}

/** The process's open-file limits, from `/proc/self/limits` (Linux); null where it cannot be read. */
export function readFdLimits(): FdLimits | null {
  try {
    return parseFdLimits(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return null;
  }
}

/** Splits `openFiles` descriptors: the process's own, then sockets, then room to refuse. */
export function fdBudget(openFiles: number): FdBudget {
  const maxSockets = Math.max(1, openFiles - RESERVED_FDS);
  return { maxSockets, maxClients: Math.max(1, maxSockets - REFUSING_FDS) };
}

/**
 * Fits `options.maxClients` to the open-file limit, with one warning line when it has to lower
 * it: past the limit a connection would be closed unanswered (#18). Node has already raised the
 * soft limit to the hard one at start, and has no setrlimit to go further. Returns the options
 * to run with and the per-listener socket bound (undefined where the limit is unknown).
 */
export function fitToOpenFiles(
  options: ServerOptions,
  log: Logger,
  limits: FdLimits | null = readFdLimits(),
): { options: ServerOptions; maxSockets: number | undefined } {
  if (limits === null || limits.soft === Infinity) return { options, maxSockets: undefined };
  const budget = fdBudget(limits.soft);
  if (options.maxClients <= budget.maxClients) return { options, maxSockets: budget.maxSockets };
  log.warn(
    {
      requested: options.maxClients,
      maxClients: budget.maxClients,
      openFileLimit: limits.soft,
      hardLimit: limits.hard,
    },
    '--max-clients capped by the open-file limit',
  );
  return { options: { ...options, maxClients: budget.maxClients }, maxSockets: budget.maxSockets };
}
