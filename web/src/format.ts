import { emojiFor } from './emoji.js';

/**
 * Chat formatting as data: the text split into styled spans, links and emoji. Rendering turns
 * each part into DOM nodes with `textContent` (view/render-text.ts); nothing here is HTML.
 */
export type Part =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'link'; href: string; text: string }
  | { kind: 'emoji'; text: string; shortcode: string }
  | { kind: 'bold' | 'italic' | 'strike'; parts: Part[] };

const MARKS: Record<string, 'bold' | 'italic' | 'strike'> = { '*': 'bold', _: 'italic', '~': 'strike' };

/**
 * One token: a link (http/https only, so no `javascript:`), inline code, a shortcode, or a
 * marked span whose marks sit at word edges and hug non-space text (`2*3*4` stays as typed).
 */
const TOKEN =
  /(https?:\/\/[^\s<>"']+)|`([^`\n]+)`|:([a-z0-9_+-]{1,32}):|(?<![\p{L}\p{N}_*~])([*_~])(?!\s)([^\n]*?[^\s\\])\4(?![\p{L}\p{N}_])/gu;

/** Trailing punctuation is the sentence's, not the link's ("see https://x.org."). */
function trimLink(url: string): string {
  let u = url;
  for (;;) {
    const last = u.at(-1) ?? '';
    const unbalanced = last === ')' && u.split('(').length < u.split(')').length;
    if (last === '' || (!'.,;:!?\'"]'.includes(last) && !unbalanced)) return u;
    u = u.slice(0, -1);
  }
}

/** Splits a message into parts; depth bounds nesting (`*_~x~_*` at most). */
export function parseFormatting(text: string, depth = 0): Part[] {
  const parts: Part[] = [];
  let plain = '';
  let last = 0;
  const pushPlain = (s: string) => {
    plain += s;
  };
  const flush = () => {
    if (plain) parts.push({ kind: 'text', text: plain });
    plain = '';
  };
  const re = new RegExp(TOKEN.source, TOKEN.flags);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const [whole, url, code, shortcode, mark, inner] = m;
    let consumed = whole.length;
    if (url !== undefined) {
      const href = trimLink(url);
      consumed = href.length;
      pushPlain(text.slice(last, m.index));
      flush();
      parts.push({ kind: 'link', href, text: href });
    } else if (code !== undefined) {
      pushPlain(text.slice(last, m.index));
      flush();
      parts.push({ kind: 'code', text: code });
    } else if (shortcode !== undefined) {
      const emoji = emojiFor(shortcode);
      pushPlain(text.slice(last, m.index));
      if (emoji === undefined) {
        // Not a known shortcode: keep the text, and let the closing colon start another one.
        pushPlain(`:${shortcode}`);
        consumed = shortcode.length + 1;
      } else {
        flush();
        parts.push({ kind: 'emoji', text: emoji, shortcode });
      }
    } else if (mark !== undefined && inner !== undefined) {
      pushPlain(text.slice(last, m.index));
      flush();
      const kind = MARKS[mark] ?? 'bold';
      const innerParts: Part[] =
        depth < 2 ? parseFormatting(inner, depth + 1) : [{ kind: 'text', text: inner }];
      parts.push({ kind, parts: innerParts });
    }
    last = m.index + consumed;
    re.lastIndex = last;
  }
  pushPlain(text.slice(last));
  flush();
  return parts;
}
