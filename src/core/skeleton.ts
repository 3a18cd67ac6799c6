import { CONFUSABLES } from './confusables-data.js';

/** Unicode's confusable map (UTS #39), decoded once: code point → what it looks like. */
const MAP: ReadonlyMap<number, string> = (() => {
  const map = new Map<number, string>();
  for (const chunk of CONFUSABLES) {
    for (const entry of chunk.split(' ')) {
      const [from, to] = entry.split(':') as [string, string];
      map.set(parseInt(from, 36), String.fromCodePoint(...to.split(',').map((c) => parseInt(c, 36))));
    }
  }
  return map;
})();

function mapOnce(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFD')) out += MAP.get(ch.codePointAt(0) as number) ?? ch;
  return out.normalize('NFD').toLowerCase();
}

/**
 * A name's confusable skeleton: two names that look alike have the same one (`аna` with a
 * Cyrillic `а` and `ana`; `paypa1` and `paypal`). UTS #39's skeleton (NFD, map each character
 * by Unicode's confusables data, NFD again), with letter case folded before and after so that
 * names papo treats as one (`Ana`, `ana`) share a skeleton too; repeated until it no longer
 * changes (folding case can reveal a character the map knows), so it is idempotent.
 */
export function skeleton(name: string): string {
  let s = name.normalize('NFD').toLowerCase();
  for (let i = 0; i < 4; i++) {
    const next = mapOnce(s);
    if (next === s) break;
    s = next;
  }
  return s;
}
