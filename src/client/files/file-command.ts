import { homedir } from 'node:os';

/** `/send` and `/get`, the client's file commands (issue #14). */
export type FileCommand =
  | { kind: 'send'; target: string; path: string }
  | { kind: 'get'; id: string; dir: string | null }
  | { kind: 'usage'; command: 'send' | 'get' };

const SEND = /^\/send(?:\s+(\S+)(?:\s+(.+))?)?\s*$/is;
const GET = /^\/get(?:\s+(\S+)(?:\s+(.+))?)?\s*$/is;

/** A path as typed: surrounding quotes off, `~` for the home directory. */
export function typedPath(raw: string, home = homedir()): string {
  let p = raw.trim();
  if (p.length >= 2 && (p[0] === '"' || p[0] === "'") && p.endsWith(p[0])) p = p.slice(1, -1);
  return p.replace(/^~(?=\/|$)/, home);
}

/** The file command a typed line is, or null for any other line. */
export function parseFileCommand(line: string): FileCommand | null {
  const trimmed = line.trim();
  const send = SEND.exec(trimmed);
  if (send) {
    const [, target, path] = send;
    return target && path
      ? { kind: 'send', target, path: typedPath(path) }
      : { kind: 'usage', command: 'send' };
  }
  const get = GET.exec(trimmed);
  if (get) {
    const [, id, dir] = get;
    if (!id) return { kind: 'usage', command: 'get' };
    return { kind: 'get', id: id.replace(/^#/, ''), dir: dir ? typedPath(dir) : null };
  }
  return null;
}
