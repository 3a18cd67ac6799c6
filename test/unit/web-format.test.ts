import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseFormatting, type Part } from '../../web/src/format.js';

/** The parts as a compact string: **b**, _i_, ~s~, `c`, [link], {emoji}. */
function show(parts: Part[]): string {
  return parts
    .map((p) => {
      switch (p.kind) {
        case 'text':
          return p.text;
        case 'code':
          return `\`${p.text}\``;
        case 'link':
          return `[${p.href}]`;
        case 'emoji':
          return `{${p.text}}`;
        case 'bold':
          return `**${show(p.parts)}**`;
        case 'italic':
          return `_${show(p.parts)}_`;
        case 'strike':
          return `~${show(p.parts)}~`;
      }
    })
    .join('');
}

test('renders bold, italic, strike, code, links and emoji shortcodes', () => {
  assert.equal(
    show(parseFormatting('oi *todo mundo* _já_ ~não~ `x*y*z` :smile:')),
    'oi **todo mundo** _já_ ~não~ `x*y*z` {😄}',
  );
  assert.equal(show(parseFormatting('veja https://example.org/a_b_c.')), 'veja [https://example.org/a_b_c].');
  assert.equal(
    show(parseFormatting('(https://example.org/wiki/X_(y))')),
    '([https://example.org/wiki/X_(y)])',
  );
  assert.equal(show(parseFormatting('*_both_*')), '**_both_**');
});

test('leaves marks inside words, lone marks and unknown shortcodes as typed', () => {
  for (const text of ['2*3*4', 'snake_case_name', 'a * b * c', '* not bold *', ':nope: :smile', '10:30:45']) {
    assert.equal(show(parseFormatting(text)), text, text);
  }
});

test('never makes a link of anything but http and https', () => {
  for (const text of [
    'javascript:alert(1)',
    'data:text/html,<b>x</b>',
    '[x](javascript:alert(3))',
    'vbscript:msgbox',
  ]) {
    assert.ok(!parseFormatting(text).some((p) => p.kind === 'link'), text);
  }
});

function flatten(parts: Part[]): Part[] {
  return parts.flatMap((p) => ('parts' in p ? [p, ...flatten(p.parts)] : [p]));
}

test('any text parses without throwing, and every link is http(s) and part of the text', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
      const parts = flatten(parseFormatting(text));
      for (const p of parts) {
        if (p.kind !== 'link') continue;
        assert.match(p.href, /^https?:\/\//);
        assert.ok(text.includes(p.href));
      }
    }),
  );
});
