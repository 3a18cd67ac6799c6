/** Longest message text, in UTF-8 bytes (the original project's limit). */
export const MAX_MESSAGE_BYTES = 1024;

/** UTF-8 length of a well-formed string, without allocating. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

// C0 controls, DEL and the C1 controls U+0080–U+009F: any of them could move the cursor,
// recolour or clear another user's terminal (PROTOCOL.md, "Sanitising").
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;
const TABS = /\t/g;

/**
 * Makes untrusted text safe to show on another user's terminal: a TAB becomes a space, every
 * other C0/C1 control and every lone surrogate becomes U+FFFD (visible, so nothing is hidden).
 */
export function sanitizeText(s: string): string {
  return s.toWellFormed().replace(TABS, ' ').replace(CONTROLS, '\uFFFD');
}

/** True when the string holds a character that sanitizeText would change. */
export function hasUnsafeChars(s: string): boolean {
  CONTROLS.lastIndex = 0;
  return CONTROLS.test(s) || s.includes('\t') || !s.isWellFormed();
}
