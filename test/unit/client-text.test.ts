import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { convertShortcodes, shortcodesStartingWith } from '../../src/client/emoji.js';
import { formatMarkup } from '../../src/client/format.js';
import { terminalAsk } from '../../src/client/tls-connector.js';
import { firstUseText } from '../../src/client/tls-trust.js';
import {
  displayWidth,
  graphemes,
  plainText,
  toAnsi,
  wrapStyled,
  type StyledLine,
} from '../../src/client/styled.js';

const rows = (line: StyledLine, cols: number, indent = 0) => wrapStyled(line, cols, indent).map(plainText);

describe('display width', () => {
  it('counts emoji and CJK as two columns and combining accents as none', () => {
    assert.equal(displayWidth('abc'), 3);
    assert.equal(displayWidth('😄'), 2);
    assert.equal(displayWidth('日本'), 4);
    assert.equal(displayWidth('e\u0301'), 1);
    assert.equal(displayWidth('👍🏽'), 2);
  });

  it('keeps an emoji with a skin tone or a family as one character', () => {
    assert.deepEqual(graphemes('a👍🏽b'), ['a', '👍🏽', 'b']);
    assert.equal(graphemes('👨‍👩‍👧').length, 1);
  });
});

describe('wrapping', () => {
  it('never lets an indent or a carried word push a row past the edge', () => {
    assert.deepEqual(rows([{ text: 'a 😄a' }], 4, 2), ['a 😄', '  a']);
    assert.deepEqual(rows([{ text: 'aa 日' }], 2, 1), ['aa', '日']);
  });

  it('breaks at the last space that fits', () => {
    assert.deepEqual(rows([{ text: 'the quick brown fox' }], 10), ['the quick', 'brown fox']);
  });

  it('cuts a word longer than the row', () => {
    assert.deepEqual(rows([{ text: 'abcdefghij' }], 4), ['abcd', 'efgh', 'ij']);
  });

  it('never splits a wide character across the edge', () => {
    assert.deepEqual(rows([{ text: 'a日本語' }], 4), ['a日', '本語']);
    assert.deepEqual(rows([{ text: '😄😄😄' }], 5), ['😄😄', '😄']);
  });

  it('indents continuation rows under the message text', () => {
    assert.deepEqual(rows([{ text: '12:00 ana: ' }, { text: 'one two three four five' }], 24, 11), [
      '12:00 ana: one two three',
      '           four five',
    ]);
  });

  it('drops an indent that would leave less than half the row', () => {
    assert.deepEqual(rows([{ text: 'abcdefgh ijkl' }], 10, 6), ['abcdefgh', 'ijkl']);
  });

  it('keeps each piece its style across a break', () => {
    const wrapped = wrapStyled([{ text: 'aa ' }, { text: 'bbbb', style: { bold: true } }], 4);
    assert.deepEqual(wrapped, [[{ text: 'aa' }], [{ text: 'bbbb', style: { bold: true } }]]);
  });

  it('gives every row at most the width, for any text', () => {
    const text = 'Olá 😄 mundo 日本語のテキスト e\u0301 ok 👍🏽👍🏽👍🏽 fim';
    for (let cols = 2; cols < 30; cols++) {
      for (const row of rows([{ text }], cols)) assert.ok(displayWidth(row) <= cols, `${cols}: ${row}`);
    }
  });
});

describe('ANSI output', () => {
  it('wraps styled pieces in SGR codes and resets after each', () => {
    const line: StyledLine = [{ text: 'ana', style: { bold: true, fg: 31 } }, { text: ': oi' }];
    assert.equal(toAnsi(line, { ansi: true, color: true }), '\x1b[1;31mana\x1b[0m: oi');
  });

  it('drops colours but keeps bold without colour', () => {
    const line: StyledLine = [{ text: 'ana', style: { bold: true, fg: 31 } }];
    assert.equal(toAnsi(line, { ansi: true, color: false }), '\x1b[1mana\x1b[0m');
  });

  it('writes no codes at all when ANSI is off', () => {
    assert.equal(toAnsi([{ text: 'x', style: { italic: true } }], { ansi: false, color: false }), 'x');
  });
});

describe('messenger formatting', () => {
  it('renders *bold*, _italic_, ~strike~ and `code` without the markers', () => {
    assert.deepEqual(formatMarkup('a *b* _c_ ~d~ `e`'), [
      { text: 'a ' },
      { text: 'b', style: { bold: true } },
      { text: ' ' },
      { text: 'c', style: { italic: true } },
      { text: ' ' },
      { text: 'd', style: { strike: true } },
      { text: ' ' },
      { text: 'e', style: { fg: 36 } },
    ]);
  });

  it('nests styles', () => {
    assert.deepEqual(formatMarkup('*bold _both_*'), [
      { text: 'bold ', style: { bold: true } },
      { text: 'both', style: { bold: true, italic: true } },
    ]);
  });

  it('leaves snake_case, arithmetic and lone markers alone', () => {
    for (const text of ['snake_case_name', '2*3*4', 'a * b * c', 'price: 5*', '_ _', 'file_name.txt']) {
      assert.equal(plainText(formatMarkup(text)), text, text);
    }
  });

  it('formats nothing inside code', () => {
    assert.deepEqual(formatMarkup('`*x*`'), [{ text: '*x*', style: { fg: 36 } }]);
  });

  it('keeps the backticks when colours are off', () => {
    assert.equal(plainText(formatMarkup('run `ls`', undefined, { color: false })), 'run `ls`');
  });

  it('accepts punctuation around markers', () => {
    assert.deepEqual(formatMarkup('(*yes*)!'), [
      { text: '(' },
      { text: 'yes', style: { bold: true } },
      { text: ')!' },
    ]);
  });
});

describe('emoji shortcodes', () => {
  it('converts known shortcodes and leaves the rest as typed', () => {
    assert.equal(convertShortcodes('deploy done :rocket:'), 'deploy done 🚀');
    assert.equal(convertShortcodes(':smile: at 10:30:45 :no_such_code:'), '😄 at 10:30:45 :no_such_code:');
  });

  it('suggests shortcodes by prefix, shortest first', () => {
    const found = shortcodesStartingWith('smil');
    assert.equal(found[0], 'smile');
    assert.ok(found.every((n) => n.startsWith('smil')));
  });
});

describe('properties', () => {
  const textArb = fc.string({
    unit: fc.constantFrom('a', 'b', ' ', '*', '_', '~', '`', '日', '😄', 'é', 'e\u0301', '👍🏽'),
  });

  it('wraps any text into rows no wider than the terminal, losing only break spaces', () => {
    fc.assert(
      fc.property(
        textArb,
        fc.integer({ min: 2, max: 30 }),
        fc.integer({ min: 0, max: 15 }),
        (text, cols, indent) => {
          const wrapped = rows([{ text }], cols, indent);
          for (const row of wrapped) assert.ok(displayWidth(row) <= cols, `${cols}: ${JSON.stringify(row)}`);
          const strip = (s: string) => s.replace(/ /g, '');
          assert.equal(strip(wrapped.join('')), strip(text));
        },
      ),
    );
  });

  it('formats any text without adding characters or losing any but markers', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        const shown = plainText(formatMarkup(text));
        const strip = (s: string) => s.replace(/[*_~`]/g, '');
        assert.equal(strip(shown), strip(text));
        assert.ok(shown.length <= text.length);
      }),
    );
  });
});

describe('the TLS first-use question on a narrow terminal', () => {
  it('breaks between words at the terminal width, never inside one', async () => {
    let shown = '';
    const output = Object.assign(new PassThrough(), { columns: 40 });
    output.on('data', (d: Buffer) => (shown += d.toString()));
    const input = new PassThrough();
    const ask = terminalAsk({ input, output });
    const fp = 'SHA256:7zaER+kywbB9TC6zN/X0Ey5QhJv62vPfb0+eDdNyx4o';
    const answer = ask(firstUseText('chat.example:65433', fp, 'self-signed certificate'));
    input.end('yes\n');
    assert.equal(await answer, true);
    const text = firstUseText('chat.example:65433', fp, 'self-signed certificate');
    const lines = shown.split('\n').slice(0, -1);
    // Every word arrives whole; a row is over 40 columns only if one word is (the fingerprint).
    assert.deepEqual(lines.join(' ').split(/\s+/), text.split(/\s+/));
    for (const l of lines) assert.ok(l.length <= 40 || !l.includes(' '), l);
    assert.ok(lines.includes(fp), 'the fingerprint, longer than a row, stays whole on its own');
  });
});
