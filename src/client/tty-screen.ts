import { displayWidth, graphemes } from './styled.js';

/** Where the terminal output goes; `columns` is read at every draw, so a resize takes effect. */
export interface TerminalOut {
  write(text: string): unknown;
  readonly columns: number;
}

/** A row and column inside the input block (row 0 is the prompt's row). */
export interface Position {
  row: number;
  col: number;
}

/**
 * Where the terminal cursor ends up after writing `text` from column 0 of row 0, with
 * `columns` columns: a character wider than what is left of a row moves to the next one, as
 * terminals do, and a row filled to the edge continues at the start of the next.
 */
export function positionAfter(text: string, columns: number): Position {
  let row = 0;
  let col = 0;
  for (const g of graphemes(text)) {
    const w = displayWidth(g);
    if (col + w > columns) {
      row++;
      col = 0;
    }
    col += w;
    if (col >= columns) {
      row++;
      col = 0;
    }
  }
  return { row, col };
}

const ESC = '\x1b[';

/**
 * The input line at the bottom of the terminal. Everything else is printed above it: the
 * block is erased, the lines are written, and prompt, partial input and cursor are drawn
 * again, so incoming messages never garble what the user is typing.
 */
export class InputArea {
  /** Row of the terminal cursor inside the drawn block. */
  private cursorRow = 0;
  private drawn = false;
  private prompt = '';
  private promptAnsi = '';
  private text = '';
  private cursorText = '';
  private status = '';
  private statusAnsi = '';

  constructor(private readonly out: TerminalOut) {}

  /**
   * Sets the status row drawn above the prompt (rooms, the connection's state; `statusAnsi` the
   * same with styles); empty: no row. It is redrawn in place, so a changing status (a reconnect
   * countdown) never scrolls the chat. Takes effect at the next draw.
   */
  setStatus(status: string, statusAnsi = status): void {
    this.status = status;
    this.statusAnsi = statusAnsi;
  }

  /** Sets what to show; `promptAnsi` is the prompt with styles, `prompt` the same text bare. */
  update(prompt: string, promptAnsi: string, text: string, beforeCursor: string): void {
    this.prompt = prompt;
    this.promptAnsi = promptAnsi;
    this.text = text;
    this.cursorText = beforeCursor;
    this.out.write(this.erase() + this.draw());
  }

  /** Writes whole lines (already styled, no newline) above the input line. */
  printAbove(lines: string[]): void {
    if (lines.length === 0) return;
    this.out.write(this.erase() + lines.map((l) => `${l}\x1b[0m\n`).join('') + this.draw());
  }

  /** After a resize, the rows the block takes change: draw it again for the new width. */
  redraw(): void {
    this.cursorRow = this.statusRows() + positionAfter(this.prompt + this.cursorText, this.columns()).row;
    this.out.write(this.erase() + this.draw());
  }

  /** Removes the input block (before exiting), leaving the cursor at the start of its row. */
  clear(): void {
    this.out.write(this.erase());
    this.drawn = false;
  }

  private columns(): number {
    return Math.max(1, this.out.columns || 80);
  }

  private statusRows(): number {
    return this.status === '' ? 0 : 1;
  }

  /** The status row, cut to fit one row (never the last column: no deferred wrap to track). */
  private statusRow(): string {
    const room = this.columns() - 1;
    if (displayWidth(this.status) <= room) return `${this.statusAnsi}\x1b[0m\r\n`;
    let cut = '';
    for (const g of graphemes(this.status)) {
      if (displayWidth(cut + g) > room - 1) break;
      cut += g;
    }
    return `\x1b[2m${cut}…\x1b[0m\r\n`;
  }

  private erase(): string {
    if (!this.drawn) return '';
    const up = this.cursorRow > 0 ? `${ESC}${this.cursorRow}A` : '';
    this.cursorRow = 0;
    return `\r${up}${ESC}J`;
  }

  private draw(): string {
    const cols = this.columns();
    const end = positionAfter(this.prompt + this.text, cols);
    const cursor = positionAfter(this.prompt + this.cursorText, cols);
    const status = this.status === '' ? '' : this.statusRow();
    let s = `${ESC}?25l${status}${this.promptAnsi}\x1b[0m${this.text}`;
    // Filled to the edge: the terminal waits at the last column; a space moves it to where
    // positionAfter says it is (column 0 of the next row).
    if (end.col === 0 && end.row > 0) s += ' \r';
    const up = end.row - cursor.row;
    if (up > 0) s += `${ESC}${up}A`;
    s += '\r';
    if (cursor.col > 0) s += `${ESC}${cursor.col}C`;
    s += `${ESC}?25h`;
    this.cursorRow = this.statusRows() + cursor.row;
    this.drawn = true;
    return s;
  }
}
