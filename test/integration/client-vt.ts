import stringWidth from 'string-width';

const TOKEN = /\x1b\[([0-9;?]*)([A-Za-z])|\x1b[()][A-Za-z0-9]|[\x07\r\n\b]|[^\x1b\x07\r\n\b]+/gu;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * A small model of an xterm-like screen, enough to check what `papo client` leaves on it:
 * printing with wide characters and the deferred wrap at the right edge, CR, LF with
 * scrolling, cursor up/down/forward/back, erase below and erase line. Colours are ignored.
 */
export class VirtualScreen {
  private grid: string[][];
  row = 0;
  col = 0;
  private pendingWrap = false;

  constructor(
    readonly cols: number,
    readonly rows: number,
  ) {
    this.grid = Array.from({ length: rows }, () => this.blank());
  }

  private blank(): string[] {
    return Array.from({ length: this.cols }, () => ' ');
  }

  feed(data: string): void {
    for (const m of data.matchAll(TOKEN)) {
      const [tok, params, final] = m;
      if (final !== undefined) this.csi(params ?? '', final);
      else if (tok === '\r') this.cr();
      else if (tok === '\n') this.lf();
      else if (tok === '\b') this.col = Math.max(0, this.col - 1);
      else if (tok === '\x07' || tok.startsWith('\x1b')) continue;
      else for (const { segment } of segmenter.segment(tok)) this.put(segment);
    }
  }

  /** The screen as lines, trailing blanks removed. */
  lines(): string[] {
    return this.grid.map((r) => r.join('').replace(/ +$/, ''));
  }

  private put(g: string): void {
    const w = stringWidth(g);
    if (w === 0) return;
    if (this.pendingWrap || this.col + w > this.cols) {
      this.cr();
      this.lf();
    }
    const line = this.grid[this.row] as string[];
    line[this.col] = g;
    if (w === 2) line[this.col + 1] = '';
    this.col += w;
    if (this.col >= this.cols) {
      this.col = this.cols - 1;
      this.pendingWrap = true;
    }
  }

  private cr(): void {
    this.col = 0;
    this.pendingWrap = false;
  }

  private lf(): void {
    this.pendingWrap = false;
    if (this.row === this.rows - 1) {
      this.grid.shift();
      this.grid.push(this.blank());
    } else this.row++;
  }

  private csi(params: string, final: string): void {
    if (params.startsWith('?')) return;
    const n = Math.max(1, Number(params.split(';')[0] || 1));
    this.pendingWrap = false;
    switch (final) {
      case 'A':
        this.row = Math.max(0, this.row - n);
        return;
      case 'B':
        this.row = Math.min(this.rows - 1, this.row + n);
        return;
      case 'C':
        this.col = Math.min(this.cols - 1, this.col + n);
        return;
      case 'D':
        this.col = Math.max(0, this.col - n);
        return;
      case 'H':
        this.row = this.col = 0;
        return;
      case 'J':
        if (params === '2') this.grid = Array.from({ length: this.rows }, () => this.blank());
        else {
          (this.grid[this.row] as string[]).fill(' ', this.col);
          for (let r = this.row + 1; r < this.rows; r++) this.grid[r] = this.blank();
        }
        return;
      case 'K':
        (this.grid[this.row] as string[]).fill(' ', this.col);
        return;
    }
  }
}
