import stringWidth from 'string-width';

/** Text attributes a segment can carry; colours are dropped under NO_COLOR / --no-color. */
export interface Style {
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
  strike?: boolean;
  /** ANSI foreground colour: 30–37 or 90–97. */
  fg?: number;
}

export interface Segment {
  text: string;
  style?: Style;
}

/** One line of output as styled pieces; ANSI codes are added only when it is written out. */
export type StyledLine = Segment[];

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Splits text into user-perceived characters (an emoji with modifiers stays one). */
export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** Terminal columns a string takes: wide characters (emoji, CJK) count 2, marks 0. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

function sgr(style: Style | undefined, color: boolean): string {
  if (!style) return '';
  const codes: number[] = [];
  if (style.bold) codes.push(1);
  if (style.dim) codes.push(2);
  if (style.italic) codes.push(3);
  if (style.underline) codes.push(4);
  if (style.inverse) codes.push(7);
  if (style.strike) codes.push(9);
  if (color && style.fg !== undefined) codes.push(style.fg);
  return codes.length > 0 ? `\x1b[${codes.join(';')}m` : '';
}

/** Writes a styled line as text with ANSI SGR codes (`ansi` false: the bare text). */
export function toAnsi(line: StyledLine, opts: { ansi: boolean; color: boolean }): string {
  let out = '';
  for (const seg of line) {
    const open = opts.ansi ? sgr(seg.style, opts.color) : '';
    out += open === '' ? seg.text : `${open}${seg.text}\x1b[0m`;
  }
  return out;
}

/** The text of a styled line without any style. */
export function plainText(line: StyledLine): string {
  return line.map((s) => s.text).join('');
}

interface Cell {
  g: string;
  w: number;
  style: Style | undefined;
}

function cellsToLine(cells: Cell[]): StyledLine {
  const out: StyledLine = [];
  for (const c of cells) {
    const last = out[out.length - 1];
    if (last && last.style === c.style) last.text += c.g;
    else out.push(c.style ? { text: c.g, style: c.style } : { text: c.g });
  }
  return out;
}

/**
 * Word-wraps a styled line to `columns`, measuring every character's display width. Rows after
 * the first start with `indent` spaces (dropped when it would leave under half the width). A
 * word longer than a row is cut; a wide character never straddles the edge.
 */
export function wrapStyled(line: StyledLine, columns: number, indent = 0): StyledLine[] {
  const width = Math.max(1, columns);
  const pad = indent > 0 && indent <= width / 2 ? indent : 0;
  const rows: Cell[][] = [];
  let row: Cell[] = [];
  let used = 0;
  let rowPad = 0; // columns of indent at the start of `row`
  let lastSpace = -1; // index in `row` of the last space, a place to break
  // Starts a row holding `carry` (`carried` columns wide), indented unless the indent would push
  // `next` past the edge.
  const newRow = (carry: Cell[], carried: number, next: number) => {
    rows.push(row);
    rowPad = pad > 0 && pad + carried + next <= width ? pad : 0;
    row = rowPad > 0 ? [{ g: ' '.repeat(rowPad), w: rowPad, style: undefined }] : [];
    row.push(...carry);
    used = rowPad + carried;
    lastSpace = -1;
  };
  for (const seg of line) {
    for (const g of graphemes(seg.text)) {
      const w = displayWidth(g);
      if (used + w > width && used === rowPad && rowPad > 0) {
        row = []; // only the indent so far, and it would push this character past the edge
        used = rowPad = 0;
      }
      if (used + w > width && used > rowPad) {
        if (g === ' ') {
          newRow([], 0, 0); // a space at the edge is where the break goes: drop it
          continue;
        }
        const carry = lastSpace > 0 ? row.slice(lastSpace + 1) : [];
        const carried = carry.reduce((sum, c) => sum + c.w, 0);
        if (lastSpace > 0 && pad + carried + w <= width) {
          row = row.slice(0, lastSpace);
          newRow(carry, carried, w);
        } else newRow([], 0, w); // no space to break at, or the word would not fit: break here
      }
      if (g === ' ') lastSpace = row.length;
      row.push({ g, w, style: seg.style });
      used += w;
    }
  }
  rows.push(row);
  return rows.map(cellsToLine);
}

/**
 * Plain text word-wrapped to `columns`, line by line. Unlike wrapStyled, a word longer than a
 * row is left whole on a row of its own: the terminal folds it, and a fingerprint or a command
 * copied from the screen stays one string.
 */
export function wrapText(text: string, columns: number): string {
  const rows: string[] = [];
  for (const line of text.split('\n')) {
    if (displayWidth(line) <= columns) {
      rows.push(line); // as it is, indentation included
      continue;
    }
    let row = '';
    for (const word of line.split(' ')) {
      if (row !== '' && displayWidth(row) + 1 + displayWidth(word) > columns) {
        rows.push(row);
        row = word;
      } else row = row === '' ? word : `${row} ${word}`;
    }
    rows.push(row);
  }
  return rows.join('\n');
}
