/**
 * The progress line on stderr: rewritten in place on a terminal, one line at most every
 * `intervalMs` otherwise (CI logs), nothing when quiet.
 */
export class Progress {
  private lastAt = 0;
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
    private readonly intervalMs = 1000,
  ) {}

  /** Shows `text` now if enough time has passed since the last line (or `force`). */
  update(text: string, force = false): void {
    if (this.quiet) return;
    const now = Date.now();
    if (!force && now - this.lastAt < this.intervalMs) return;
    this.lastAt = now;
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[K${text}`);
      this.shown = true;
    } else {
      this.stream.write(`${text}\n`);
    }
  }

  /** Prints a line that stays (a finished step), replacing the in-place one. */
  line(text: string): void {
    if (this.quiet) return;
    this.done();
    this.stream.write(`${text}\n`);
  }

  /** Ends an in-place line so what follows starts on a fresh one. */
  done(): void {
    if (this.shown && this.stream.isTTY) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
