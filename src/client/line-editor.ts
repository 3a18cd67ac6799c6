import { graphemes } from './styled.js';

/** Most lines kept for ↑/↓. */
export const HISTORY_LIMIT = 500;

/**
 * The input line as a value: text as user-perceived characters, a cursor between them, the
 * recall history and Tab completion. No terminal inside, so every key is unit-testable.
 */
export class LineEditor {
  private chars: string[] = [];
  /** Index in `chars` the cursor stands before. */
  cursor = 0;
  private history: string[] = [];
  /** Position while browsing the history; history.length means the line being written. */
  private browse = 0;
  private draft = '';
  private completion: { before: string[]; after: string[]; options: string[]; index: number } | null = null;

  get text(): string {
    return this.chars.join('');
  }

  /** The text before the cursor. */
  get beforeCursor(): string {
    return this.chars.slice(0, this.cursor).join('');
  }

  set(text: string, cursor?: number): void {
    this.chars = graphemes(text);
    this.cursor = Math.min(cursor ?? this.chars.length, this.chars.length);
  }

  insert(text: string): void {
    this.completion = null;
    const add = graphemes(text.replace(/[\r\n]+/g, ' '));
    // Re-segment around the cursor so a combining mark typed after a letter joins it.
    const before = graphemes(this.chars.slice(0, this.cursor).join('') + add.join(''));
    const after = this.chars.slice(this.cursor);
    this.chars = [...before, ...after];
    this.cursor = before.length;
  }

  backspace(): void {
    this.edit(() => {
      if (this.cursor === 0) return;
      this.chars.splice(this.cursor - 1, 1);
      this.cursor--;
    });
  }

  deleteForward(): void {
    this.edit(() => void this.chars.splice(this.cursor, 1));
  }

  left(): void {
    this.edit(() => (this.cursor = Math.max(0, this.cursor - 1)));
  }

  right(): void {
    this.edit(() => (this.cursor = Math.min(this.chars.length, this.cursor + 1)));
  }

  home(): void {
    this.edit(() => (this.cursor = 0));
  }

  end(): void {
    this.edit(() => (this.cursor = this.chars.length));
  }

  private wordStart(from: number): number {
    let i = from;
    while (i > 0 && /\s/.test(this.chars[i - 1] as string)) i--;
    while (i > 0 && !/\s/.test(this.chars[i - 1] as string)) i--;
    return i;
  }

  wordLeft(): void {
    this.edit(() => (this.cursor = this.wordStart(this.cursor)));
  }

  wordRight(): void {
    this.edit(() => {
      let i = this.cursor;
      const n = this.chars.length;
      while (i < n && /\s/.test(this.chars[i] as string)) i++;
      while (i < n && !/\s/.test(this.chars[i] as string)) i++;
      this.cursor = i;
    });
  }

  /** Ctrl-W: deletes the word before the cursor. */
  deleteWordBack(): void {
    this.edit(() => {
      const start = this.wordStart(this.cursor);
      this.chars.splice(start, this.cursor - start);
      this.cursor = start;
    });
  }

  /** Ctrl-U: deletes everything before the cursor. */
  killToStart(): void {
    this.edit(() => {
      this.chars.splice(0, this.cursor);
      this.cursor = 0;
    });
  }

  /** Ctrl-K: deletes everything after the cursor. */
  killToEnd(): void {
    this.edit(() => void this.chars.splice(this.cursor));
  }

  /** Enter: returns the line, remembers it for ↑ and starts an empty one. */
  /** Takes the line without keeping it in the history (a password). */
  submitSecret(): string {
    const line = this.text;
    this.set('');
    return line;
  }

  submit(): string {
    const line = this.text;
    if (line.trim() !== '' && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > HISTORY_LIMIT) this.history.shift();
    }
    this.browse = this.history.length;
    this.draft = '';
    this.completion = null;
    this.set('');
    return line;
  }

  /** ↑: the previous line from the history (the line being written is kept as a draft). */
  historyUp(): void {
    if (this.browse === 0) return;
    if (this.browse === this.history.length) this.draft = this.text;
    this.browse--;
    this.completion = null;
    this.set(this.history[this.browse] as string);
  }

  /** ↓: the next line, and finally the draft again. */
  historyDown(): void {
    if (this.browse >= this.history.length) return;
    this.browse++;
    this.completion = null;
    this.set(this.browse === this.history.length ? this.draft : (this.history[this.browse] as string));
  }

  /**
   * Tab: completes the word before the cursor with `candidates(word, atLineStart)`. One match
   * is completed (plus a suffix: `: ` after a name at the line start, a space otherwise);
   * pressing Tab again cycles through several. Returns the options when there are several.
   */
  complete(candidates: (word: string, atLineStart: boolean) => string[]): string[] {
    if (this.completion) {
      const c = this.completion;
      c.index = (c.index + 1) % c.options.length;
      this.applyCompletion(c.options[c.index] as string);
      return c.options;
    }
    const start = this.wordStart(this.cursor);
    if (start === this.cursor) return [];
    const word = this.chars.slice(start, this.cursor).join('');
    const atLineStart = this.chars.slice(0, start).every((c) => /\s/.test(c));
    const options = candidates(word, atLineStart);
    if (options.length === 0) return [];
    this.completion = {
      before: this.chars.slice(0, start),
      after: this.chars.slice(this.cursor),
      options,
      index: 0,
    };
    this.applyCompletion(options[0] as string);
    if (options.length === 1) this.completion = null;
    return options;
  }

  private applyCompletion(word: string): void {
    const c = this.completion;
    if (!c) return;
    const before = [...c.before, ...graphemes(word)];
    this.chars = [...before, ...c.after];
    this.cursor = before.length;
  }

  private edit(f: () => void): void {
    this.completion = null;
    f();
  }
}
