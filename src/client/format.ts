import type { Segment, Style } from './styled.js';

const MARKS: Record<string, Style> = {
  '*': { bold: true },
  _: { italic: true },
  '~': { strike: true },
};

/** Style of `code` spans; with colour off the backticks stay so the span is still visible. */
const CODE_STYLE: Style = { fg: 36 };

// A marker opens at the start or after a space or punctuation, and closes before the end, a
// space or punctuation, as in WhatsApp and Telegram: `snake_case_name` and `2*3*4` stay as typed.
const BOUNDARY = /[\s\p{P}\p{S}]/u;

function canOpen(text: string, i: number): boolean {
  const before = text[i - 1];
  const after = text[i + 1];
  return (before === undefined || BOUNDARY.test(before)) && after !== undefined && !/\s/.test(after);
}

function canClose(text: string, i: number, start: number): boolean {
  const before = text[i - 1];
  const after = text[i + 1];
  return (
    i > start + 1 &&
    before !== undefined &&
    !/\s/.test(before) &&
    (after === undefined || BOUNDARY.test(after))
  );
}

function merge(base: Style | undefined, add: Style): Style {
  return { ...base, ...add };
}

/**
 * Renders messenger markup: `*bold*`, `_italic_`, `~strike~` and `` `code` `` (nothing inside
 * code is formatted). The markers are not shown; styles nest.
 */
export function formatMarkup(
  text: string,
  base?: Style,
  opts: { color: boolean } = { color: true },
): Segment[] {
  const out: Segment[] = [];
  let plain = '';
  const flush = () => {
    if (plain !== '') out.push(base ? { text: plain, style: base } : { text: plain });
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        const code = text.slice(i + 1, end);
        out.push(
          opts.color
            ? { text: code, style: merge(base, CODE_STYLE) }
            : { text: `\`${code}\``, style: merge(base, {}) },
        );
        i = end + 1;
        continue;
      }
    }
    const mark = MARKS[ch];
    if (mark && canOpen(text, i)) {
      let end = -1;
      for (let j = text.indexOf(ch, i + 1); j !== -1; j = text.indexOf(ch, j + 1)) {
        if (canClose(text, j, i)) {
          end = j;
          break;
        }
      }
      if (end !== -1) {
        flush();
        out.push(...formatMarkup(text.slice(i + 1, end), merge(base, mark), opts));
        i = end + 1;
        continue;
      }
    }
    plain += ch;
    i++;
  }
  flush();
  return out;
}
