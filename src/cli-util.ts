import { InvalidArgumentError } from 'commander';

/** Commander parser for a whole number in [min, max]. */
export function intIn(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** Commander parser for a number of seconds (fractions allowed) in (0, max]. */
export function seconds(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > max)
      throw new InvalidArgumentError(`expected seconds, above 0 and at most ${max}`);
    return n;
  };
}

/** Prints one clear line (a stack trace only with --debug or PAPO_DEBUG) and exits 1. */
export function fail(message: string, err?: unknown): never {
  process.stderr.write(`papo: ${message}\n`);
  if (err instanceof Error && (process.argv.includes('--debug') || process.env.PAPO_DEBUG)) {
    process.stderr.write(`${err.stack}\n`);
  }
  process.exit(1);
}
