import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where `/get` puts files by default: `$XDG_DOWNLOAD_DIR`, else the XDG user-dirs file
 * (`~/.config/user-dirs.dirs`, `XDG_DOWNLOAD_DIR="$HOME/Downloads"`), else `~/Downloads`.
 */
export function defaultDownloadDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (env.XDG_DOWNLOAD_DIR) return expandHome(env.XDG_DOWNLOAD_DIR, home);
  const config = env.XDG_CONFIG_HOME || join(home, '.config');
  try {
    const fromFile = userDirsDownload(readFileSync(join(config, 'user-dirs.dirs'), 'utf8'), home);
    if (fromFile !== null) return fromFile;
  } catch {
    // no user-dirs file: the usual place
  }
  return join(home, 'Downloads');
}

function expandHome(path: string, home: string): string {
  return path.replace(/^\$HOME(?=\/|$)/, home).replace(/^~(?=\/|$)/, home);
}

/** The download dir in a user-dirs.dirs text (shell syntax: `XDG_DOWNLOAD_DIR="$HOME/x"`). */
export function userDirsDownload(text: string, home: string): string | null {
  for (const line of text.split('\n')) {
    const m = /^\s*XDG_DOWNLOAD_DIR\s*=\s*"([^"]*)"\s*$/.exec(line);
    if (!m?.[1]) continue;
    const path = expandHome(m[1], home);
    // `$HOME/` alone means the home directory itself, which xdg-user-dirs calls "disabled".
    return path.replace(/\/+$/, '') === home ? null : path;
  }
  return null;
}
