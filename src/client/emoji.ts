import { emojify, search } from 'node-emoji';

/**
 * Turns `:shortcode:` into emoji (`:rocket:` → 🚀) with node-emoji's maintained table; unknown
 * codes and things like `10:30:45` stay as typed. Runs before sending, so everyone sees emoji.
 */
export function convertShortcodes(text: string): string {
  return text.includes(':') ? emojify(text) : text;
}

/** Shortcodes starting with `prefix` (without colons), shortest first, at most `limit`. */
export function shortcodesStartingWith(prefix: string, limit = 50): string[] {
  if (prefix === '') return [];
  const p = prefix.toLowerCase();
  return search(p)
    .map((e) => e.name)
    .filter((n) => n.startsWith(p))
    .sort((a, b) => a.length - b.length || a.localeCompare(b))
    .slice(0, limit);
}
