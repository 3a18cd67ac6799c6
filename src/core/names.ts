import type { NameProblem } from './errors.js';

/** Longest name, in Unicode code points (after NFC normalisation). */
export const MAX_NAME_CHARS = 32;

// Letters, combining marks (after a letter or digit), digits and `_ - .` (PROTOCOL.md, "Names").
// Everything else is refused, which keeps out spaces, controls and the invisible and format
// characters (zero-width, bidi overrides: Unicode category Cf) that would let two different
// names look alike.
const NAME_CHAR = /^[\p{L}\p{M}\p{N}_.-]$/u;
const MARK = /^\p{M}$/u;

export type NameCheck = { ok: true; name: string } | { ok: false; problem: NameProblem };

/** Validates a requested name; the accepted form is NFC-normalised. */
export function checkName(raw: string): NameCheck {
  const name = raw.normalize('NFC');
  const chars = Array.from(name);
  if (chars.length === 0) return { ok: false, problem: { kind: 'empty' } };
  for (const [i, ch] of chars.entries()) {
    if (!NAME_CHAR.test(ch) || (i === 0 && MARK.test(ch))) {
      return { ok: false, problem: { kind: 'bad_char', codePoint: ch.codePointAt(0) ?? 0 } };
    }
  }
  if (chars.length > MAX_NAME_CHARS) {
    return { ok: false, problem: { kind: 'too_long', chars: chars.length, max: MAX_NAME_CHARS } };
  }
  return { ok: true, name };
}

/** The key that makes names unique regardless of letter case: `Ana`, `ANA` and `ana` collide. */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}
