import { StringDecoder } from 'node:string_decoder';

const MAX_PLAIN_LINE_CHARS = 16_384;
// A partial line ending like a prompt ("Your name: ", "> ") is shown at once, not held back.
const PROMPT_END = /[:>?]\s$/;

/**
 * Splits a plain-text server's output into lines (`\n`, `\r\n`), keeping UTF-8 characters
 * whole; a prompt without a newline comes out on its own, and an endless line is cut.
 */
export class PlainLineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';

  push(chunk: Buffer): string[] {
    this.buffer += this.decoder.write(chunk);
    const parts = this.buffer.split('\n');
    this.buffer = parts.pop() ?? '';
    const lines = parts.map((l) => l.replace(/\r$/, ''));
    if (PROMPT_END.test(this.buffer) || this.buffer.length > MAX_PLAIN_LINE_CHARS) {
      lines.push(this.buffer);
      this.buffer = '';
    }
    return lines;
  }

  /** What is left when the connection ends. */
  end(): string[] {
    const rest = this.buffer + this.decoder.end();
    this.buffer = '';
    return rest === '' ? [] : [rest.replace(/\r$/, '')];
  }
}
