/** Number of author colours in styles.css (`.nc0` to `.nc11`), readable in light and dark. */
export const NAME_COLORS = 12;

/** A stable colour class for a name: the same name gets the same colour in every browser. */
export function nameColorClass(name: string): string {
  let hash = 2166136261;
  for (const ch of name.toLowerCase()) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 16777619);
  }
  return `nc${(hash >>> 0) % NAME_COLORS}`;
}
