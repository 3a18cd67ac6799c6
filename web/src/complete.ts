import { COMMANDS } from './commands.js';

/** A completion: the new input value and where the caret goes. */
export interface Completion {
  value: string;
  caret: number;
}

/**
 * Completes the word before the caret: a command at the start of the line, else a name (with
 * `: ` after it at the start of the line) or a room. Repeated Tab cycles through candidates:
 * `cycle` counts the presses since the word was typed.
 */
export function complete(
  value: string,
  caret: number,
  names: readonly string[],
  rooms: readonly string[],
  cycle = 0,
  typedPrefix?: string,
): { completion: Completion; prefix: string } | null {
  const before = value.slice(0, caret);
  const m = /(\S*)$/.exec(before);
  const word = typedPrefix ?? m?.[1] ?? '';
  const start = caret - (m?.[1]?.length ?? 0);
  if (word === '') return null;
  const lower = word.toLowerCase();
  let candidates: string[];
  if (start === 0 && word.startsWith('/')) candidates = Object.keys(COMMANDS);
  else if (word.startsWith('#')) candidates = [...rooms];
  else candidates = [...names];
  const matches = candidates
    .filter((c) => c.toLowerCase().startsWith(lower))
    .sort((a, b) => a.localeCompare(b));
  if (matches.length === 0) return null;
  const pick = matches[cycle % matches.length] as string;
  const suffix = start === 0 && !word.startsWith('/') && !word.startsWith('#') ? ': ' : ' ';
  const inserted = pick + suffix;
  const after = value.slice(caret);
  return {
    completion: { value: value.slice(0, start) + inserted + after, caret: start + inserted.length },
    prefix: word,
  };
}
