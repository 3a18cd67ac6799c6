import { InvalidArgumentError, Option, type Command } from 'commander';
import { intIn } from '../../cli-util.js';
import { checkAccelPrefix } from './accel.js';

/** What `papo server` is told about file transfer (docs/SERVER.md, "Files"). */
export interface FilesOptions {
  /** Whether files may be sent (`--no-files` turns it off; so does `--no-web`). */
  files: boolean;
  /** Largest file accepted, in bytes. */
  maxFileSize: number;
  /** Most bytes stored for all files together (0: no limit); the oldest files go first. */
  filesMaxBytes: number;
  /** Days a file is kept (0: until --files-max-bytes pushes it out). */
  filesMaxDays: number;
  /** Uploads one user may start per minute (0: no limit). */
  fileRate: number;
  /** Upload slots one user may hold open (offered, not yet finished or cancelled) at once; 0: no limit. */
  maxOpenUploads: number;
  /** Base of the URLs in upload slots and `file` events (behind a proxy); null: the web listener's. */
  publicUrl: string | null;
  /** Behind nginx: the internal location downloads are handed to (`X-Accel-Redirect`); null: papo sends them. */
  filesAccelRedirect: string | null;
}

const MiB = 1024 * 1024;

export const FILES_DEFAULTS: FilesOptions = {
  files: true,
  maxFileSize: 100 * MiB,
  filesMaxBytes: 10 * 1024 * MiB,
  filesMaxDays: 7,
  fileRate: 10,
  maxOpenUploads: 20,
  publicUrl: null,
  filesAccelRedirect: null,
};

/** Parses a byte count: a whole number with an optional K, M or G (powers of 1024). */
export function parseBytes(value: string): number {
  const m = /^(\d+)\s*([KMG]i?B?)?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected a size like 100M or 1048576, got ${value}`);
  const unit = (m[2] ?? '').charAt(0).toUpperCase();
  const scale = unit === 'K' ? 1024 : unit === 'M' ? MiB : unit === 'G' ? 1024 * MiB : 1;
  const n = Number(m[1]) * scale;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${value} is too large`);
  return n;
}

/** Parses `--public-url`: an http(s) URL with no query; a trailing slash is dropped. */
export function parsePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InvalidArgumentError(`expected a URL like https://chat.example.com, got ${value}`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new InvalidArgumentError(`expected a URL like https://chat.example.com, got ${value}`);
  }
  return url.href.replace(/\/+$/, '');
}

/** Parses `--files-accel-redirect`: a path prefix such as `/_papo_files/` (see `checkAccelPrefix`). */
export function parseAccelPrefix(value: string): string {
  const prefix = checkAccelPrefix(value);
  if (prefix === null) {
    throw new InvalidArgumentError(
      `expected a path that starts and ends with / (letters, digits, . _ ~ -; no ..), like /_papo_files/, got ${JSON.stringify(value)}`,
    );
  }
  return prefix;
}

/** Adds the file-transfer flags to `papo server`, each also readable from a PAPO_* variable. */
export function addFilesOptions(command: Command): Command {
  const d = FILES_DEFAULTS;
  return command
    .addOption(new Option('--no-files', 'turn file transfer off').env('PAPO_NO_FILES'))
    .addOption(
      new Option('--max-file-size <bytes>', 'largest file accepted (K, M, G suffixes)')
        .env('PAPO_MAX_FILE_SIZE')
        .default(d.maxFileSize, '100M')
        .argParser(parseBytes),
    )
    .addOption(
      new Option('--files-max-bytes <bytes>', 'most bytes kept for all files; oldest go first (0: no limit)')
        .env('PAPO_FILES_MAX_BYTES')
        .default(d.filesMaxBytes, '10G')
        .argParser(parseBytes),
    )
    .addOption(
      new Option('--files-max-days <days>', 'delete files older than this many days (0: no limit)')
        .env('PAPO_FILES_MAX_DAYS')
        .default(d.filesMaxDays)
        .argParser(intIn(0, 100_000)),
    )
    .addOption(
      new Option('--file-rate <n>', 'uploads one user may start per minute (0: no limit)')
        .env('PAPO_FILE_RATE')
        .default(d.fileRate)
        .argParser(intIn(0, 1_000_000)),
    )
    .addOption(
      new Option('--max-open-uploads <n>', 'unfinished uploads one user may have at once (0: no limit)')
        .env('PAPO_MAX_OPEN_UPLOADS')
        .default(d.maxOpenUploads)
        .argParser(intIn(0, 1_000_000)),
    )
    .addOption(
      new Option('--public-url <url>', 'base of file URLs given to users (behind a reverse proxy)')
        .env('PAPO_PUBLIC_URL')
        .argParser(parsePublicUrl),
    )
    .addOption(
      new Option(
        '--files-accel-redirect <prefix>',
        'behind nginx: hand checked downloads to its internal location PREFIX (X-Accel-Redirect)',
      )
        .env('PAPO_FILES_ACCEL_REDIRECT')
        .argParser(parseAccelPrefix),
    );
}

/** The file options out of commander's parsed flags. */
export function filesSettings(o: Record<string, unknown>): FilesOptions {
  return {
    files: o.files !== false,
    maxFileSize: o.maxFileSize as number,
    filesMaxBytes: o.filesMaxBytes as number,
    filesMaxDays: o.filesMaxDays as number,
    fileRate: o.fileRate as number,
    maxOpenUploads: o.maxOpenUploads as number,
    publicUrl: (o.publicUrl as string | undefined) ?? null,
    filesAccelRedirect: (o.filesAccelRedirect as string | undefined) ?? null,
  };
}
