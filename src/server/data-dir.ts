import { mkdirSync } from 'node:fs';

/**
 * Makes the data directory (0700) and makes every file papo creates from here on its own: the
 * databases hold the chat, password hashes and session tokens, so whatever umask papo was
 * started with, new files are 0600 and new directories 0700. What is shared on purpose (the
 * blobs an nginx in front may read, `--files-accel-redirect`) is chmod-ed to that explicitly.
 */
export function makeDataDir(dir: string): void {
  process.umask(0o077);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}
