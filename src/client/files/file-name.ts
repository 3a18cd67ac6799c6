import { cutToBytes, MAX_FILE_NAME_BYTES, splitExtension } from '../../core/files.js';

/**
 * Saving under a name already taken (issue #14). Names are cleaned by core's `cleanFileName`,
 * the one cleaner: the client runs it again on what a server sent, trusting no server.
 */

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The n-th alternative to a taken name: `name (1).ext`, `name (2).ext` … (within the limit). */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const { stem, ext } = splitExtension(name);
  const suffix = ` (${n})${ext}`;
  return cutToBytes(stem, MAX_FILE_NAME_BYTES - utf8(suffix)) + suffix;
}
