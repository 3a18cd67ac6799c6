import type { LineEditor } from './line-editor.js';

/** A key as node:readline's emitKeypressEvents reports it. */
export interface Key {
  name?: string;
  ctrl?: boolean;
  meta?: boolean;
  shift?: boolean;
  sequence?: string;
}

/** What a key asks of the UI beyond editing the line. */
export type KeyOutcome =
  | 'edited'
  | 'submit'
  | 'complete'
  | 'interrupt'
  | 'eof'
  | 'suspend'
  | 'clear-screen'
  /** Alt+1..9: go to that room of the status row (roomNumber says which). */
  | 'switch-room'
  | 'ignored';

/** The N of Alt+N (1–9), or null for any other key. */
export function roomNumber(key: Key | undefined): number | null {
  return key?.meta && !key.ctrl && /^[1-9]$/.test(key.name ?? '') ? Number(key.name) : null;
}

type Edit = (e: LineEditor) => void;

// Emacs-style bindings as in readline and most shells.
const CTRL: Record<string, Edit> = {
  a: (e) => e.home(),
  e: (e) => e.end(),
  b: (e) => e.left(),
  f: (e) => e.right(),
  p: (e) => e.historyUp(),
  n: (e) => e.historyDown(),
  w: (e) => e.deleteWordBack(),
  u: (e) => e.killToStart(),
  k: (e) => e.killToEnd(),
  h: (e) => e.backspace(),
  left: (e) => e.wordLeft(),
  right: (e) => e.wordRight(),
  backspace: (e) => e.deleteWordBack(),
};
const META: Record<string, Edit> = {
  b: (e) => e.wordLeft(),
  f: (e) => e.wordRight(),
  left: (e) => e.wordLeft(),
  right: (e) => e.wordRight(),
  backspace: (e) => e.deleteWordBack(),
};
const PLAIN: Record<string, Edit> = {
  backspace: (e) => e.backspace(),
  delete: (e) => e.deleteForward(),
  left: (e) => e.left(),
  right: (e) => e.right(),
  home: (e) => e.home(),
  end: (e) => e.end(),
  up: (e) => e.historyUp(),
  down: (e) => e.historyDown(),
};

/** Applies one key to the editor; returns what else the UI has to do. */
export function applyKey(editor: LineEditor, str: string | undefined, key: Key | undefined): KeyOutcome {
  const k = key ?? {};
  const name = k.name ?? '';
  if (k.ctrl && name === 'c') return 'interrupt';
  if (k.ctrl && name === 'd') {
    if (editor.text === '') return 'eof';
    editor.deleteForward();
    return 'edited';
  }
  if (k.ctrl && name === 'l') return 'clear-screen';
  if (k.ctrl && name === 'z') return 'suspend';
  if (roomNumber(k) !== null) return 'switch-room';
  if (name === 'return' || name === 'enter') return 'submit';
  if (name === 'tab') return 'complete';
  const edit = (k.ctrl ? CTRL : k.meta ? META : PLAIN)[name];
  if (edit) {
    edit(editor);
    return 'edited';
  }
  if (str && !k.ctrl && !k.meta && !/[\x00-\x1f\x7f]/.test(str)) {
    editor.insert(str);
    return 'edited';
  }
  return 'ignored';
}
