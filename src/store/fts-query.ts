/** Most words of a search that count; the rest are ignored (PROTOCOL.md, "History"). */
export const MAX_SEARCH_WORDS = 16;
/** Longest word of a search that counts, in characters. */
const MAX_WORD_CHARS = 64;

/**
 * Turns what a user typed into an FTS5 query that matches messages holding every word. Each
 * word becomes a quoted string, so FTS5 syntax (`OR`, `NEAR`, `*`, `:`, quotes) in user input is
 * taken literally and can never make the query fail. Returns null when there is no word.
 */
export function ftsQuery(input: string): string | null {
  // Controls never reach stored texts (they are sanitised), so they separate words here.
  const words = input
    .replace(/[\u0000-\u001f\u007f-\u009f]/gu, ' ')
    .split(/\s+/u)
    .filter((w) => w.length > 0)
    .slice(0, MAX_SEARCH_WORDS)
    .map((w) => Array.from(w).slice(0, MAX_WORD_CHARS).join(''));
  if (words.length === 0) return null;
  return words.map((w) => `"${w.toWellFormed().replaceAll('"', '""')}"`).join(' ');
}
