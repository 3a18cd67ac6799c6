import type { NameProblem } from './errors.js';

/** Longest name, in Unicode code points (after NFC normalisation). */
export const MAX_NAME_CHARS = 32;
/** Longest room name after its `#`, in code points. */
export const MAX_ROOM_CHARS = 32;

// Letters, combining marks (after a letter or digit), digits and `_ - .` (PROTOCOL.md, "Names").
// Everything else is refused, which keeps out spaces, controls and the invisible and format
// characters (zero-width, bidi overrides: Unicode category Cf) that would let two different
// names look alike.
const NAME_CHAR = /^[\p{L}\p{M}\p{N}_.-]$/u;
const MARK = /^\p{M}$/u;
// Characters that render as nothing although they are letters or marks: variation selectors,
// the combining grapheme joiner, Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), Mongolian
// free variation selectors… Unicode's Default_Ignorable_Code_Point property lists them all, so
// `ana` followed by one of them cannot pose as `ana` (PROTOCOL.md, "Names").
const INVISIBLE = /^\p{Default_Ignorable_Code_Point}$/u;

export type NameCheck = { ok: true; name: string } | { ok: false; problem: NameProblem };

function checkChars(name: string, max: number): NameCheck {
  const chars = Array.from(name);
  if (chars.length === 0) return { ok: false, problem: { kind: 'empty' } };
  for (const [i, ch] of chars.entries()) {
    if (!NAME_CHAR.test(ch) || INVISIBLE.test(ch) || (i === 0 && MARK.test(ch))) {
      return { ok: false, problem: { kind: 'bad_char', codePoint: ch.codePointAt(0) ?? 0 } };
    }
  }
  if (chars.length > max) return { ok: false, problem: { kind: 'too_long', chars: chars.length, max } };
  return { ok: true, name };
}

/** Validates a requested name; the accepted form is NFC-normalised. */
export function checkName(raw: string): NameCheck {
  return checkChars(raw.normalize('NFC'), MAX_NAME_CHARS);
}

/** The key that makes names unique regardless of letter case: `Ana`, `ANA` and `ana` collide. */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}

/**
 * Validates a room name: `#` and 1–32 characters under the rules of user names. The accepted
 * form is NFC-normalised; a name without its `#` is refused (it would read as a user's name).
 */
export function checkRoomName(raw: string): NameCheck {
  const name = raw.normalize('NFC');
  if (!name.startsWith('#')) return { ok: false, problem: { kind: 'no_hash' } };
  const rest = checkChars(name.slice(1), MAX_ROOM_CHARS);
  return rest.ok ? { ok: true, name } : rest;
}

/** The key that identifies a room regardless of letter case: `#Rust` and `#rust` are one room. */
export function roomKey(name: string): string {
  return nameKey(name);
}
