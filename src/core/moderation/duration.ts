/**
 * Ban and mute lengths as operators type them: `30s`, `10m`, `2h`, `7d`, `2w`, or several
 * together (`1d12h`); `none`, `permanent` or `0` for no end.
 */

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
/** Longest ban or mute with an end: ten years (longer is refused, not silently capped). */
export const MAX_DURATION_MS = 3650 * 86_400_000;
const PERMANENT = new Set(['none', 'permanent', 'perm', '0', 'never']);
/** What reads as a duration (and is then either valid or refused), not as a reason's first word. */
const LOOKS_LIKE = /^(\d+[a-z]+)+$/i;
const PART = /(\d+)([a-z]+)/gi;

/** A parsed duration: milliseconds, or null for no end. */
export type DurationCheck =
  { ok: true; ms: number | null } | { ok: false; problem: 'unit' | 'too_long' | 'zero' };

/** True when `word` is meant as a duration (`10m`, `none`): `/ban ana spam` has no duration. */
export function looksLikeDuration(word: string): boolean {
  return PERMANENT.has(word.toLowerCase()) || LOOKS_LIKE.test(word);
}

/** Parses a duration; a unit it does not know, a zero length or more than ten years is refused. */
export function parseDuration(text: string): DurationCheck {
  const word = text.toLowerCase();
  if (PERMANENT.has(word)) return { ok: true, ms: null };
  if (!LOOKS_LIKE.test(word) || word.length > 32) return { ok: false, problem: 'unit' };
  let ms = 0;
  for (const [, n, unit] of word.matchAll(PART)) {
    const per = UNIT_MS[unit as string];
    if (per === undefined) return { ok: false, problem: 'unit' };
    ms += Number(n) * per;
    if (!Number.isSafeInteger(ms) || ms > MAX_DURATION_MS) return { ok: false, problem: 'too_long' };
  }
  return ms === 0 ? { ok: false, problem: 'zero' } : { ok: true, ms };
}

/** The shortest spelling of a duration in the units above (`1d12h`); `none` for no end. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return 'none';
  let left = ms;
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's']) {
    const per = UNIT_MS[unit] as number;
    const n = Math.floor(left / per);
    if (n > 0) out += `${n}${unit}`;
    left -= n * per;
  }
  return out || '0s';
}
