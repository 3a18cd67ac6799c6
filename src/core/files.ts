import type { ErrorCode } from './errors.js';
import type { ErrorDetail, FileEvent } from './events.js';
import { nameKey, roomKey } from './names.js';

/**
 * File transfer, the core's side (docs/ARCHITECTURE.md, "Files"): the hub checks who a file
 * goes to, the `FileDesk` port (an adapter in src/server/files) opens an upload slot on the web
 * port, and once the bytes are stored the adapter hands the hub the `StoredFile` to announce.
 */

/** Longest file name kept, in UTF-8 bytes (what most file systems allow). */
export const MAX_FILE_NAME_BYTES = 255;
/** A name offered longer than this (UTF-8 bytes) is refused outright rather than cut. */
export const MAX_OFFERED_NAME_BYTES = 1024;
/** The name of a file whose offered name had nothing usable left. */
export const FALLBACK_FILE_NAME = 'file';

/** A request to send a file, checked by the hub: who from, and to which room or user. */
export interface FileOffer {
  from: string;
  /** Exactly one of `room` (display name) and `to` (the recipient's name) is set. */
  room?: string;
  to?: string;
  /** Already cleaned with `cleanFileName`. */
  name: string;
  size: number;
  /** 64 lowercase hex digits. */
  sha256: string;
}

export type SlotAnswer =
  | { ok: true; url: string; size: number; offset: number }
  | { ok: false; code: ErrorCode; detail: ErrorDetail };

/** The files port: opens upload slots (limits, rate, storage are the adapter's business). */
export interface FileDesk {
  openSlot(offer: FileOffer): SlotAnswer;
  /** A `file` event was delivered: the adapter remembers its id, for `lookup`. */
  announced(event: FileEvent): void;
  /** The `file` event of a stored, unexpired file by its event id; null when there is none. */
  lookup(id: number): FileEvent | null;
}

/**
 * Whether a user may be given a file's event again (`file_lookup`): a room file, by that room's
 * members now (as history is); a private one, by its sender and its recipient only.
 */
export function mayLookUp(event: FileEvent, user: string, rooms: readonly string[]): boolean {
  if (event.room !== undefined) {
    const key = roomKey(event.room);
    return rooms.some((r) => roomKey(r) === key);
  }
  const me = nameKey(user);
  return nameKey(event.from) === me || (event.to !== undefined && nameKey(event.to) === me);
}

/** A file whose bytes were received whole and checked: the hub announces it (as a FileEvent, once numbered). */
export type StoredFile = Omit<FileEvent, 'type' | 'id' | 'ts'>;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Whether `value` is a SHA-256 as the protocol writes it: 64 lowercase hex digits. */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

// Controls, format characters (bidi marks and overrides among them), every Unicode
// Default_Ignorable code point (zero-width, variation selectors, Hangul fillers, ...), lone
// surrogates, line and paragraph separators, private-use characters (no font agrees on them)
// and the braille blank (shows as nothing).
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/gu;
// Path separators and the characters Windows refuses in a name.
const SEPARATORS = /[/\\:*?"<>|]/g;
// Any run of white space (tabs, no-break and ideographic spaces) reads as one space.
const SPACES = /\s+/gu;
// Windows' device names, with or without an extension (`CON.txt` opens the console there),
// the superscript digits included (Microsoft's "Naming Files, Paths, and Namespaces").
const WINDOWS_RESERVED = /^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$/i;
const EDGES = /^[\s.]+|[\s.]+$/gu;
const encoder = new TextEncoder();

function utf8Bytes(s: string): number {
  return encoder.encode(s).length;
}

/** Cuts `s` to at most `max` UTF-8 bytes, on a code point boundary. */
export function cutToBytes(s: string, max: number): string {
  if (utf8Bytes(s) <= max) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = utf8Bytes(ch);
    if (used + n > max) break;
    out += ch;
    used += n;
  }
  return out;
}

/** Longest extension kept whole when a name is cut, in UTF-8 bytes. */
const MAX_EXTENSION_BYTES = 32;

/** Splits `name.ext` at its last dot: an extension of up to 32 bytes (dot included), else none. */
export function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || utf8Bytes(name.slice(dot)) > MAX_EXTENSION_BYTES) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext: name.slice(dot) };
}

/** `name` within `max` UTF-8 bytes, its extension kept when it has one that fits. */
export function fitFileName(name: string, max = MAX_FILE_NAME_BYTES): string {
  if (utf8Bytes(name) <= max) return name;
  const { stem, ext } = splitExtension(name);
  if (ext === '' || utf8Bytes(ext) >= max) return cutToBytes(name, max);
  return cutToBytes(stem, max - utf8Bytes(ext)) + ext;
}

function cleanOnce(raw: string): string {
  let name = raw.normalize('NFC').replace(INVISIBLE, '').replace(SEPARATORS, '_').replace(SPACES, ' ');
  name = name.replace(/\.{2,}/g, '.').replace(EDGES, '');
  if (WINDOWS_RESERVED.test(name.replace(/\s+$/u, ''))) name = `_${name}`;
  name = fitFileName(name).normalize('NFC').replace(EDGES, '');
  return name === '' ? FALLBACK_FILE_NAME : name;
}

/**
 * A file name safe to show and to save anywhere: NFC; no path separators (`/`, `\`, nor the
 * characters Windows refuses; each becomes `_`), no `..`, no leading or trailing dots or
 * spaces, white space runs as one space; no control, bidi, invisible or private-use characters
 * (removed); not a Windows device name (`CON`, `com1.txt`, `LPT¹`: `_` before it); at most 255
 * UTF-8 bytes (the extension kept); never empty (`file`). Idempotent. The one cleaner: the server
 * cleans offered names with it, and the terminal client cleans what it shows and saves with it
 * again, trusting no server.
 */
export function cleanFileName(raw: string): string {
  let name = raw;
  // Each pass can only shorten the name; a handful reach the fixed point.
  for (let i = 0; i < 8; i++) {
    const next = cleanOnce(name);
    if (next === name) return name;
    name = next;
  }
  return name;
}

/** Checks an offer's own fields; returns the cleaned name, or the error to answer with. */
export function checkOfferFields(
  name: string,
  sha256: string,
): { ok: true; name: string } | { ok: false; code: ErrorCode; detail: ErrorDetail } {
  if (!isSha256Hex(sha256)) {
    return {
      ok: false,
      code: 'BAD_REQUEST',
      detail: { kind: 'text', text: '"sha256" must be 64 lowercase hex digits' },
    };
  }
  const bytes = utf8Bytes(name);
  if (bytes > MAX_OFFERED_NAME_BYTES) {
    return {
      ok: false,
      code: 'FILE_NAME_INVALID',
      detail: { kind: 'size', bytes, limit: MAX_OFFERED_NAME_BYTES },
    };
  }
  return { ok: true, name: cleanFileName(name) };
}
