/**
 * Cleans a file name offered by someone else before it names a file on this machine (issue
 * #14): the server cleans names on upload, and the client does it again, trusting no server.
 * Pure and idempotent: `cleanFileName(cleanFileName(x)) === cleanFileName(x)`.
 */

import { cutToBytes } from '../../core/files.js';

/** The most bytes (UTF-8) a name may take: what ext4, APFS and NTFS allow. */
export const MAX_NAME_BYTES = 255;

// Controls, format characters (bidi overrides, zero-width joiners, BOM), line and paragraph
// separators, lone surrogates, private-use and unassigned code points, fillers that show as
// nothing, and the characters Windows forbids in names. Path separators are among them.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0\u2800/\\:*?"<>|]/gu;
const SPACES = /\s+/gu;
// CON, PRN, AUX, NUL, COM1-9, LPT1-9 (and the superscript digits Windows also reserves), with
// or without an extension: `CON.txt` opens the console on Windows.
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;
const FALLBACK = 'file';

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Splits `name.ext` at its last dot; a short extension (≤ 16 bytes) only, else none. */
export function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || utf8(name.slice(dot)) > 16) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext: name.slice(dot) };
}

/** `name` within `max` bytes, keeping its extension when there is room for it. */
export function fitName(name: string, max = MAX_NAME_BYTES): string {
  if (utf8(name) <= max) return name;
  const { stem, ext } = splitExtension(name);
  if (ext === '' || utf8(ext) >= max) return cutToBytes(name, max);
  return cutToBytes(stem, max - utf8(ext)) + ext;
}

function onePass(raw: string): string {
  let name = raw.normalize('NFC').replace(UNSAFE, '_').replace(SPACES, ' ');
  // No hidden files and no `.`/`..`: leading dots and spaces go; trailing ones too (Windows
  // drops them, so `a.txt.` would become another file's name there).
  name = name.replace(/^[.\s]+/u, '').replace(/[.\s]+$/u, '');
  if (RESERVED.test(name)) name = `_${name}`;
  name = fitName(name);
  return name.replace(/[.\s]+$/u, '');
}

/** A safe, non-empty, single-segment file name for `raw`, at most MAX_NAME_BYTES bytes. */
export function cleanFileName(raw: string): string {
  let name = raw;
  // Each pass only shortens or keeps the name; a few reach a fixed point.
  for (let i = 0; i < 4; i++) {
    const next = onePass(name);
    if (next === name) break;
    name = next;
  }
  return name === '' ? FALLBACK : name;
}

/** The n-th alternative to a taken name: `name (1).ext`, `name (2).ext` … (within the limit). */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const { stem, ext } = splitExtension(name);
  const suffix = ` (${n})${ext}`;
  return cutToBytes(stem, MAX_NAME_BYTES - utf8(suffix)) + suffix;
}
