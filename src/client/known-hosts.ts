import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseFingerprint } from '../protocol/tls-fingerprint.js';

/** Comment written at the top of a new known_hosts file. */
const HEADER =
  '# papo known_hosts: one "HOST:PORT SHA256:fingerprint" per line (see papo\'s docs/SERVER.md, "TLS").\n';

/** `$XDG_CONFIG_HOME/papo/known_hosts`, or `~/.config/papo/known_hosts`. */
export function defaultKnownHostsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'papo', 'known_hosts');
}

/**
 * The key a server is remembered under: `host:port`, the host in lower case, an IPv6 host in
 * brackets (`[::1]:65433`). Each port is its own entry, as in OpenSSH.
 */
export function knownHostKey(host: string, port: number): string {
  const h = host.trim().toLowerCase();
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}

/** Splits a line into key and fingerprint; null for blanks, comments and malformed lines. */
function parseLine(line: string): { key: string; fingerprint: string } | null {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const [key, fp, ...rest] = trimmed.split(/\s+/);
  if (key === undefined || fp === undefined || rest.length > 0) return null;
  const fingerprint = parseFingerprint(fp);
  return fingerprint === null ? null : { key: key.toLowerCase(), fingerprint };
}

/** The fingerprint known_hosts text holds for `key`, or null; malformed lines are skipped. */
export function lookupKnownHost(text: string, key: string): string | null {
  let found: string | null = null;
  for (const line of text.split('\n')) {
    const entry = parseLine(line);
    if (entry?.key === key) found = entry.fingerprint; // the last entry wins, as it was written last
  }
  return found;
}

/**
 * known_hosts text with `key` trusting `fingerprint`: an existing entry for the key is
 * replaced in place (the others, comments included, are kept as they were), a new one appended.
 */
export function withKnownHost(text: string, key: string, fingerprint: string): string {
  const entry = `${key} ${fingerprint}`;
  const lines = text === '' ? HEADER.split('\n').slice(0, -1) : text.replace(/\n$/, '').split('\n');
  let replaced = false;
  const out: string[] = [];
  for (const line of lines) {
    if (parseLine(line)?.key !== key) out.push(line);
    else if (!replaced) {
      out.push(entry);
      replaced = true;
    }
  }
  if (!replaced) out.push(entry);
  return out.join('\n') + '\n';
}

/** A known_hosts file on disk; every call reads it afresh, so several clients can share it. */
export class KnownHostsFile {
  constructor(readonly path: string = defaultKnownHostsPath()) {}

  private read(): string {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
  }

  /** The fingerprint trusted for host:port, or null if it was never trusted. */
  lookup(host: string, port: number): string | null {
    return lookupKnownHost(this.read(), knownHostKey(host, port));
  }

  /** Trusts `fingerprint` for host:port from now on (file mode 0600, directory 0700). */
  remember(host: string, port: number, fingerprint: string): void {
    const text = withKnownHost(this.read(), knownHostKey(host, port), fingerprint);
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    // A temporary file and a rename: a crash never leaves a half-written list of trusted servers.
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, text, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
  }
}
