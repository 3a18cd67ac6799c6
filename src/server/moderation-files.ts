import { appendFileSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { formatDuration } from '../core/moderation/duration.js';
import { Moderation, type AuditEntry, type AuditLog, type OperatorList } from '../core/moderation/index.js';
import { checkName, nameKey } from '../core/names.js';
import { sanitizeText } from '../core/text.js';
import { utcStamp } from '../protocol/moderation-texts.js';
import { SqliteModerationStore } from '../store/index.js';

/** Files moderation keeps in the data directory (docs/SERVER.md, "Moderation"). */
export const MODERATION_DB_FILE = 'moderation.db';
export const AUDIT_LOG_FILE = 'audit.log';
export const OPS_FILE = 'ops';

/** Commander parser for `--ops NAME,…`: valid names, or a usage error naming the bad one. */
export function opsList(value: string): string[] {
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  for (const n of names) {
    const check = checkName(n);
    if (!check.ok) throw new InvalidArgumentError(`${JSON.stringify(sanitizeText(n))} is not a valid name`);
  }
  return names.map((n) => n.normalize('NFC'));
}

/** The names in `<data-dir>/ops`, one a line (`#` starts a comment); none when there is no file. */
export function readOpsFile(dataDir: string): string[] {
  const file = join(dataDir, OPS_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '' && checkName(l).ok);
}

/** Replaces `<data-dir>/ops` at once (a rename), so a server reading it never sees half a file. */
export function writeOpsFile(dataDir: string, names: string[]): void {
  const file = join(dataDir, OPS_FILE);
  const body = '# papo server operators (account names), one a line; edit with `papo admin ops`\n';
  writeFileSync(`${file}.tmp`, body + names.map((n) => `${n}\n`).join(''), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/**
 * The server operators: `--ops` plus `<data-dir>/ops`, re-read whenever the file changes (its
 * modification time or size is looked at on each check: checks come only with an operator's
 * command, so `papo admin ops add` takes effect at once, with no signal to send).
 */
export class OperatorFile implements OperatorList {
  private readonly configured: Set<string>;
  private fromFile = new Set<string>();
  private seen = '';

  constructor(
    private readonly dataDir: string | null,
    configured: string[],
  ) {
    this.configured = new Set(configured.map(nameKey));
  }

  has(accountKey: string): boolean {
    if (this.configured.has(accountKey)) return true;
    this.refresh();
    return this.fromFile.has(accountKey);
  }

  private refresh(): void {
    if (this.dataDir === null) return;
    let stamp = 'none';
    try {
      const st = statSync(join(this.dataDir, OPS_FILE));
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      // no file: no operators from it
    }
    if (stamp === this.seen) return;
    this.seen = stamp;
    this.fromFile = new Set(stamp === 'none' ? [] : readOpsFile(this.dataDir).map(nameKey));
  }
}

/** Appends each action as one JSON line to `<data-dir>/audit.log` (mode 0600), synchronously: actions are rare. */
export class JsonLinesAuditLog implements AuditLog {
  constructor(
    private readonly file: string,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  append(entry: AuditEntry): void {
    try {
      appendFileSync(this.file, JSON.stringify(entry) + '\n', { mode: 0o600 });
    } catch (err) {
      this.onError(err as Error);
    }
  }
}

/** One audit line as `papo admin log` prints it; a line that is not an entry is shown as such. */
export function formatAuditLine(line: string): string {
  let e: Partial<AuditEntry>;
  try {
    e = JSON.parse(line) as Partial<AuditEntry>;
  } catch {
    return `? ${sanitizeText(line)}`;
  }
  const s = (v: unknown) => sanitizeText(String(v ?? ''));
  const parts = [typeof e.ts === 'number' ? utcStamp(e.ts) : '?', s(e.actor), s(e.action), s(e.target)];
  if (e.room) parts.push(`in ${s(e.room)}`);
  if (e.address) parts.push(`address ${s(e.address)}`);
  if (e.action === 'ban' || e.action === 'mute') {
    parts.push(
      e.until == null
        ? 'permanent'
        : `for ${s(e.duration ?? formatDuration(null))} until ${utcStamp(e.until)}`,
    );
  }
  if (e.reason) parts.push(`reason: ${s(e.reason)}`);
  return parts.join('  ');
}

/** Moderation for a server with a data directory: bans and mutes in SQLite, the audit log, operators. */
export function openModeration(
  dataDir: string,
  ops: string[],
  onAuditError?: (err: Error) => void,
): { moderation: Moderation; close(): void } {
  const store = SqliteModerationStore.open(join(dataDir, MODERATION_DB_FILE));
  const moderation = new Moderation({
    clock: Date,
    store,
    audit: new JsonLinesAuditLog(join(dataDir, AUDIT_LOG_FILE), onAuditError),
    operators: new OperatorFile(dataDir, ops),
  });
  return { moderation, close: () => store.close() };
}
