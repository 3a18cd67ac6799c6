import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyKey, type Key } from '../../src/client/keys.js';
import { LineEditor } from '../../src/client/line-editor.js';
import { InputArea, positionAfter } from '../../src/client/tty-screen.js';

function typed(text: string): LineEditor {
  const e = new LineEditor();
  e.insert(text);
  return e;
}

describe('line editor', () => {
  it('inserts at the cursor and moves by whole characters', () => {
    const e = typed('a👍🏽c');
    e.left();
    e.left();
    assert.equal(e.beforeCursor, 'a');
    e.insert('日');
    assert.equal(e.text, 'a日👍🏽c');
    e.right();
    e.backspace();
    assert.equal(e.text, 'a日c');
  });

  it('joins a combining accent to the letter before it', () => {
    const e = typed('e');
    e.insert('\u0301');
    e.backspace();
    assert.equal(e.text, '');
  });

  it('moves and deletes by words', () => {
    const e = typed('one two three');
    e.wordLeft();
    assert.equal(e.beforeCursor, 'one two ');
    e.deleteWordBack();
    assert.equal(e.text, 'one three');
    e.killToEnd();
    assert.equal(e.text, 'one ');
    e.killToStart();
    assert.equal(e.text, '');
  });

  it('recalls earlier lines with up and down and keeps the draft', () => {
    const e = new LineEditor();
    e.insert('first');
    e.submit();
    e.insert('second');
    e.submit();
    e.insert('dra');
    e.historyUp();
    assert.equal(e.text, 'second');
    e.historyUp();
    assert.equal(e.text, 'first');
    e.historyUp();
    assert.equal(e.text, 'first');
    e.historyDown();
    e.historyDown();
    assert.equal(e.text, 'dra');
  });

  it('does not remember blank lines or the same line twice', () => {
    const e = new LineEditor();
    for (const l of ['a', 'a', '  ']) {
      e.insert(l);
      e.submit();
    }
    e.historyUp();
    e.historyUp();
    assert.equal(e.text, 'a');
  });

  it('completes a name and cycles through several on repeated Tab', () => {
    const e = typed('hi an');
    const names = ['ana', 'andre'];
    const candidates = (w: string) => names.filter((n) => n.startsWith(w)).map((n) => `${n} `);
    assert.deepEqual(e.complete(candidates), ['ana ', 'andre ']);
    assert.equal(e.text, 'hi ana ');
    e.complete(candidates);
    assert.equal(e.text, 'hi andre ');
    e.complete(candidates);
    assert.equal(e.text, 'hi ana ');
  });

  it('tells the completer whether the word starts the line', () => {
    const seen: boolean[] = [];
    typed('/he').complete((_w, start) => (seen.push(start), []));
    typed('x /he').complete((_w, start) => (seen.push(start), []));
    assert.deepEqual(seen, [true, false]);
  });
});

describe('keys', () => {
  const press = (e: LineEditor, str: string | undefined, key: Key) => applyKey(e, str, key);

  it('edits with the usual bindings and reports the rest to the UI', () => {
    const e = typed('hello world');
    assert.equal(press(e, undefined, { name: 'w', ctrl: true }), 'edited');
    assert.equal(e.text, 'hello ');
    assert.equal(press(e, '\r', { name: 'return' }), 'submit');
    assert.equal(press(e, '\t', { name: 'tab' }), 'complete');
    assert.equal(press(e, undefined, { name: 'c', ctrl: true }), 'interrupt');
    assert.equal(press(new LineEditor(), undefined, { name: 'd', ctrl: true }), 'eof');
    assert.equal(press(e, undefined, { name: 'z', ctrl: true }), 'suspend');
    assert.equal(press(e, undefined, { name: 'l', ctrl: true }), 'clear-screen');
  });

  it('inserts printable text and ignores unknown control keys', () => {
    const e = new LineEditor();
    assert.equal(press(e, 'ç', { name: undefined }), 'edited');
    assert.equal(press(e, '\x1b[99~', { name: 'undefined' }), 'ignored');
    assert.equal(e.text, 'ç');
  });
});

describe('input area', () => {
  it('finds the cursor row and column with wide characters', () => {
    assert.deepEqual(positionAfter('abc', 10), { row: 0, col: 3 });
    assert.deepEqual(positionAfter('abcdefghij', 10), { row: 1, col: 0 });
    assert.deepEqual(positionAfter('abcdefghi日', 10), { row: 1, col: 2 });
  });

  function recorder(columns: number) {
    const writes: string[] = [];
    return { writes, out: { columns, write: (s: string) => writes.push(s) } };
  }

  it('prints lines above the input and draws the partial input again', () => {
    const { writes, out } = recorder(40);
    const area = new InputArea(out);
    area.update('> ', '> ', 'hello wor', 'hello');
    writes.length = 0;
    area.printAbove(['ana: oi']);
    const s = writes.join('');
    // Erase the input row, print the line, then prompt + partial input, cursor back after "hello".
    assert.ok(s.startsWith('\r\x1b[J'), JSON.stringify(s));
    assert.ok(s.includes('ana: oi\x1b[0m\n'));
    assert.ok(s.includes('> \x1b[0mhello wor'));
    assert.ok(s.endsWith('\r\x1b[7C\x1b[?25h'), JSON.stringify(s));
  });

  it('erases every row of an input that wrapped, from the cursor row', () => {
    const { writes, out } = recorder(10);
    const area = new InputArea(out);
    area.update('> ', '> ', 'abcdefghijklmnop', 'abcdefghijklmnop');
    writes.length = 0;
    area.printAbove(['x']);
    assert.ok(writes.join('').startsWith('\r\x1b[1A\x1b[J'));
  });

  it('draws the input again for the new width after a resize', () => {
    const { writes, out } = recorder(10);
    const area = new InputArea(out);
    area.update('> ', '> ', 'abcdefghijklmnop', 'abcdefghijklmnop');
    out.columns = 40;
    writes.length = 0;
    area.redraw();
    // At 40 columns the 18 characters fit on one row: nothing to move up, cursor at column 18.
    const s = writes.join('');
    assert.ok(s.startsWith('\r\x1b[J'), JSON.stringify(s));
    assert.ok(s.endsWith('\r\x1b[18C\x1b[?25h'), JSON.stringify(s));
  });
});

describe('line editor properties', () => {
  const keyArb = fc.oneof(
    fc.constantFrom<Key>(
      { name: 'left' },
      { name: 'right' },
      { name: 'home' },
      { name: 'end' },
      { name: 'backspace' },
      { name: 'delete' },
      { name: 'up' },
      { name: 'down' },
      { name: 'w', ctrl: true },
      { name: 'u', ctrl: true },
      { name: 'k', ctrl: true },
      { name: 'left', ctrl: true },
      { name: 'right', ctrl: true },
      { name: 'return' },
    ),
    fc.constantFrom('a', ' ', '日', '😄', '\u0301', 'ç').map((str): [string, Key] => [str, {}]),
  );

  it('keeps the cursor inside the text whatever keys are pressed', () => {
    fc.assert(
      fc.property(fc.array(keyArb, { maxLength: 60 }), (keys) => {
        const e = new LineEditor();
        for (const k of keys) {
          const outcome = Array.isArray(k) ? applyKey(e, k[0], k[1]) : applyKey(e, undefined, k);
          if (outcome === 'submit') e.submit();
          assert.ok(e.cursor >= 0 && e.beforeCursor.length <= e.text.length);
          assert.ok(e.text.startsWith(e.beforeCursor));
        }
      }),
    );
  });
});
