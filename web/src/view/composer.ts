import { complete } from '../complete.js';

/** Most lines Up can recall. */
const RECALL_LINES = 100;

/**
 * The input line: Enter sends, Up/Down recall lines sent before, Tab completes names, rooms
 * and commands (pressed again, it cycles through the matches).
 */
export class Composer {
  private readonly sent: string[] = [];
  private recallIndex = -1;
  private draft = '';
  private tabState: { before: string; caret: number; prefix: string; cycle: number; result: string } | null =
    null;

  constructor(
    form: HTMLFormElement,
    readonly input: HTMLInputElement,
    private readonly onLine: (line: string) => void,
    private readonly candidates: () => { names: string[]; rooms: string[] },
  ) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    input.addEventListener('keydown', (e) => this.onKeyDown(e));
    input.addEventListener('input', () => {
      this.tabState = null;
    });
  }

  setLabel(label: string): void {
    this.input.setAttribute('aria-label', label);
    this.input.placeholder = label;
  }

  private submit(): void {
    const line = this.input.value;
    if (line.trim() === '') return;
    this.sent.push(line);
    if (this.sent.length > RECALL_LINES) this.sent.shift();
    this.recallIndex = -1;
    this.input.value = '';
    this.tabState = null;
    this.onLine(line);
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (e.key === 'Tab' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      if (this.input.value.trim() === '') return; // an empty line: Tab moves focus, as usual
      e.preventDefault();
      this.completeWord();
      return;
    }
    if (e.key === 'ArrowUp' && !e.shiftKey && !e.altKey) {
      if (this.sent.length === 0) return;
      e.preventDefault();
      if (this.recallIndex === -1) {
        this.draft = this.input.value;
        this.recallIndex = this.sent.length - 1;
      } else if (this.recallIndex > 0) this.recallIndex--;
      this.show(this.sent[this.recallIndex] ?? '');
      return;
    }
    if (e.key === 'ArrowDown' && !e.shiftKey && !e.altKey && this.recallIndex !== -1) {
      e.preventDefault();
      this.recallIndex++;
      if (this.recallIndex >= this.sent.length) {
        this.recallIndex = -1;
        this.show(this.draft);
      } else this.show(this.sent[this.recallIndex] ?? '');
    }
  }

  private show(value: string): void {
    this.input.value = value;
    this.input.setSelectionRange(value.length, value.length);
  }

  private completeWord(): void {
    const { names, rooms } = this.candidates();
    const continuing = this.tabState !== null && this.tabState.result === this.input.value;
    const state = continuing ? this.tabState : null;
    const value = state ? state.before : this.input.value;
    const caret = state ? state.caret : (this.input.selectionStart ?? value.length);
    const cycle = state ? state.cycle + 1 : 0;
    const done = complete(value, caret, names, rooms, cycle, state?.prefix);
    if (done === null) return;
    this.input.value = done.completion.value;
    this.input.setSelectionRange(done.completion.caret, done.completion.caret);
    this.tabState = { before: value, caret, prefix: done.prefix, cycle, result: done.completion.value };
  }
}
