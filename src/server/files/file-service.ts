import { randomBytes, type Hash } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { FileEvent } from '../../core/events.js';
import type { FileDesk, FileOffer, SlotAnswer, StoredFile } from '../../core/files.js';
import { nameKey } from '../../core/names.js';
import { BlobStore } from './blob-store.js';
import { serveDownload } from './download.js';
import { FileDb, type FileRecord, type SlotRecord } from './file-db.js';
import { fileRoute } from './http-rules.js';
import type { FileLocator } from './locator.js';
import type { FilesOptions } from './options.js';
import { serveUpload } from './upload.js';

/** A slot with no bytes for this long is dropped, its partial file with it. */
export const SLOT_IDLE_MS = 24 * 3600 * 1000;
/** A PATCH that sends nothing for this long is cut (what arrived is kept). */
export const UPLOAD_IDLE_MS = 30 * 1000;
/** How often expired files and idle slots are looked for. */
const SWEEP_INTERVAL_MS = 60 * 1000;
/** Random bytes in an upload or download token (144 bits, 24 base64url characters). */
const TOKEN_BYTES = 18;
const DAY_MS = 86_400_000;

/** An upload slot as the process knows it between requests. */
export interface LiveSlot {
  record: SlotRecord;
  /** Bytes received, written and fsynced. */
  offset: number;
  /** SHA-256 of the first `hashed` bytes; null: to be recomputed from the file. */
  hash: Hash | null;
  hashed: number;
  /** A PATCH is running on it. */
  busy: boolean;
}

export interface FileServiceOptions extends FilesOptions {
  /** Where the metadata and bytes go: `<data-dir>/files`. */
  root: string;
  log: Logger;
  /** Milliseconds since the epoch (tests move time). */
  now?: () => number;
  uploadIdleMs?: number;
}

/** The token in a download URL this service wrote: `.../f/TOKEN/NAME`. */
const DOWNLOAD_TOKEN = /\/f\/([A-Za-z0-9_-]+)\/[^/]*$/;

/**
 * File transfer's adapter (docs/ARCHITECTURE.md, "Files"): the `FileDesk` the hub asks for
 * upload slots, and the HTTP handler of `/u/` (tus-subset uploads) and `/f/` (downloads) on
 * the web port. Metadata in SQLite, bytes in a content-addressed store, both under `root`.
 */
export class FileService implements FileDesk {
  readonly db: FileDb;
  readonly blobs: BlobStore;
  readonly log: Logger;
  readonly now: () => number;
  readonly uploadIdleMs: number;
  private readonly live = new Map<string, LiveSlot>();
  private readonly uploads = new Map<string, number[]>();
  /** The tail of `serially`'s queue. */
  private contentQueue: Promise<unknown> = Promise.resolve();
  private baseUrl: string | null;
  private sweeper: NodeJS.Timeout | null = null;
  /** Told of every stored file (the server hands it to the hub). */
  onStored: (file: StoredFile) => void = () => {};
  /** In a cluster: where other nodes' files are (a download of one is redirected there). */
  locator: FileLocator | null = null;

  private constructor(readonly options: FileServiceOptions) {
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.uploadIdleMs = options.uploadIdleMs ?? UPLOAD_IDLE_MS;
    this.baseUrl = options.publicUrl;
    mkdirSync(options.root, { recursive: true, mode: 0o700 });
    this.db = new FileDb(`${options.root}/files.db`);
    const groupRead = options.filesAccelRedirect !== null;
    // The proxy's group may pass through `root` to the blobs: the tokens stay papo's alone.
    if (groupRead) for (const f of ['', '-wal', '-shm']) chmodIfThere(`${options.root}/files.db${f}`, 0o600);
    this.blobs = new BlobStore(options.root, groupRead);
  }

  /** Opens the store under `options.root`, removes what a crash left behind, starts the sweeper. */
  static async open(options: FileServiceOptions): Promise<FileService> {
    const service = new FileService(options);
    await service.blobs.init();
    await service.tidy();
    service.sweeper = setInterval(() => void service.sweep(), SWEEP_INTERVAL_MS);
    service.sweeper.unref();
    return service;
  }

  /** The web listener's own URL, used unless `--public-url` was given. */
  useListenerUrl(url: string): void {
    this.baseUrl ??= url.replace(/\/+$/, '');
  }

  private url(path: string): string {
    return `${this.baseUrl ?? ''}${path}`;
  }

  downloadUrl(record: FileRecord): string {
    return this.url(`/f/${record.token}/${encodeURIComponent(record.name)}`);
  }

  /** A `file` event went out: its id is noted beside the file it announced (if stored here). */
  announced(event: FileEvent): void {
    const token = DOWNLOAD_TOKEN.exec(event.url)?.[1];
    if (token !== undefined) this.db.announce(token, event.id, event.ts);
  }

  /** The `file` event of a stored, unexpired file, by the event's id. */
  lookup(id: number): FileEvent | null {
    const r = this.db.byEvent(id);
    if (!r || r.event_id === null || (r.expires > 0 && r.expires <= this.now())) return null;
    const target = r.room !== null ? { room: r.room } : { to: r.recipient ?? '' };
    return {
      type: 'file',
      id: r.event_id,
      ts: r.event_ts ?? r.created,
      from: r.sender,
      ...target,
      name: r.name,
      size: r.size,
      mime: r.mime,
      sha256: r.sha256,
      url: this.downloadUrl(r),
    };
  }

  openSlot(offer: FileOffer): SlotAnswer {
    const o = this.options;
    if (this.baseUrl === null) return { ok: false, code: 'FILES_OFF', detail: { kind: 'none' } };
    const limit = o.filesMaxBytes > 0 ? Math.min(o.maxFileSize, o.filesMaxBytes) : o.maxFileSize;
    if (offer.size > limit) {
      return { ok: false, code: 'FILE_TOO_BIG', detail: { kind: 'size', bytes: offer.size, limit } };
    }
    const open = o.maxOpenUploads > 0 ? this.db.openSlotsOf(nameKey(offer.from)) : 0;
    if (o.maxOpenUploads > 0 && open >= o.maxOpenUploads) {
      return { ok: false, code: 'TOO_MANY_UPLOADS', detail: { kind: 'limit', limit: o.maxOpenUploads } };
    }
    if (!this.takeUpload(offer.from)) {
      return { ok: false, code: 'FILE_RATE', detail: { kind: 'limit', limit: o.fileRate } };
    }
    const now = this.now();
    const record: SlotRecord = {
      token: newToken(),
      name: offer.name,
      size: offer.size,
      sha256: offer.sha256,
      sender: offer.from,
      room: offer.room ?? null,
      recipient: offer.to ?? null,
      created: now,
      touched: now,
    };
    this.db.addSlot(record);
    this.live.set(record.token, { record, offset: 0, hash: null, hashed: 0, busy: false });
    return { ok: true, url: this.url(`/u/${record.token}`), size: offer.size, offset: 0 };
  }

  /** Counts an upload against the user's per-minute rate; false when over it. */
  private takeUpload(user: string): boolean {
    const rate = this.options.fileRate;
    if (rate === 0) return true;
    const key = nameKey(user);
    const since = this.now() - 60_000;
    const recent = (this.uploads.get(key) ?? []).filter((t) => t > since);
    if (recent.length >= rate) return false;
    recent.push(this.now());
    this.uploads.set(key, recent);
    return true;
  }

  /** The slot of `token`, from memory or (after a restart) from the database and its partial file. */
  async slot(token: string): Promise<LiveSlot | null> {
    const known = this.live.get(token);
    if (known) return known;
    const record = this.db.slot(token);
    if (!record) return null;
    const again = this.live.get(token); // loaded meanwhile
    if (again) return again;
    const offset = Math.min(await this.blobs.tmpSize(token), record.size);
    const slot: LiveSlot = { record, offset, hash: null, hashed: 0, busy: false };
    this.live.set(token, slot);
    return slot;
  }

  /** Forgets a slot and its partial bytes (cancelled, failed its hash, or idle too long). */
  async dropSlot(token: string): Promise<void> {
    this.live.delete(token);
    this.db.dropSlot(token);
    await this.blobs.dropTmp(token);
  }

  /** A finished, checked upload: into the store, recorded, announced. Returns the download URL. */
  async store(slot: LiveSlot, mime: string): Promise<string> {
    const { record: s } = slot;
    const now = this.now();
    const days = this.options.filesMaxDays;
    const file: FileRecord = {
      token: newToken(),
      name: s.name,
      size: s.size,
      mime,
      sha256: s.sha256,
      sender: s.sender,
      room: s.room,
      recipient: s.recipient,
      created: now,
      expires: days > 0 ? now + days * DAY_MS : 0,
    };
    // The bytes' commit and the record that keeps them, with no drop in between: a dropped last
    // other record of the same content would otherwise remove the blob this one then points at.
    await this.serially(async () => {
      await this.blobs.commit(s.token, s.sha256);
      this.db.storeFile(file, s.token);
    });
    this.live.delete(s.token);
    await this.evict();
    const url = this.downloadUrl(file);
    this.locator?.announce(file.token, url, file.expires);
    const where = file.room !== null ? { room: file.room } : { to: file.recipient ?? '' };
    this.log.info({ from: file.sender, ...where, size: file.size, sha256: file.sha256 }, 'file stored');
    this.onStored({
      from: file.sender,
      ...where,
      name: file.name,
      size: file.size,
      mime,
      sha256: file.sha256,
      url,
    });
    return url;
  }

  /** True when `url` is one of this node's own (so a lookup that points here is no redirect). */
  isOwnUrl(url: string): boolean {
    return this.baseUrl !== null && url.startsWith(`${this.baseUrl}/`);
  }

  /** A stored file by its download token, unless expired. */
  file(token: string): FileRecord | null {
    const f = this.db.file(token);
    if (!f || (f.expires > 0 && f.expires <= this.now())) return null;
    return f;
  }

  private dropFile(token: string): Promise<void> {
    return this.serially(async () => {
      const orphan = this.db.dropFile(token);
      if (orphan !== null) await this.blobs.dropBlob(orphan);
    });
  }

  /**
   * Runs changes to stored contents (a commit with its record, a drop with its bytes) one at a
   * time, in order; a job that fails does not stop the next.
   */
  private serially<T>(job: () => Promise<T>): Promise<T> {
    const run = this.contentQueue.then(job, job);
    this.contentQueue = run.catch(() => undefined);
    return run;
  }

  /** Drops the oldest files while the store holds more than `--files-max-bytes`. */
  private async evict(): Promise<void> {
    const max = this.options.filesMaxBytes;
    if (max === 0) return;
    while (this.db.totalBytes() > max) {
      const oldest = this.db.oldestFiles();
      if (oldest.length === 0) return;
      for (const token of oldest) {
        await this.dropFile(token);
        if (this.db.totalBytes() <= max) return;
      }
    }
  }

  /** Expired files and idle slots go. */
  async sweep(): Promise<void> {
    try {
      const now = this.now();
      for (const token of this.db.expiredFiles(now)) await this.dropFile(token);
      for (const token of this.db.staleSlots(now - SLOT_IDLE_MS)) {
        if (!this.live.get(token)?.busy) await this.dropSlot(token);
      }
      await this.evict();
      const since = now - 60_000;
      for (const [user, times] of this.uploads)
        if (!times.some((at) => at > since)) this.uploads.delete(user);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'files: sweep failed; tried again later');
    }
  }

  /** After a crash: partial files no slot owns, and stored bytes no record points at, go. */
  private async tidy(): Promise<void> {
    const slots = new Set(this.db.slotTokens());
    for (const name of await this.blobs.tmpNames()) if (!slots.has(name)) await this.blobs.dropTmp(name);
    const known = new Set(this.db.blobHashes());
    for (const name of await this.blobs.blobNames()) if (!known.has(name)) await this.blobs.dropBlob(name);
    await this.sweep();
  }

  /**
   * The web listener's hook: answers `/u/...` and `/f/...` and returns true, or returns false
   * for any other path (the app's files).
   */
  readonly route = (req: IncomingMessage, res: ServerResponse): boolean => {
    const target = req.url ?? '';
    const q = target.indexOf('?');
    const route = fileRoute(q === -1 ? target : target.slice(0, q));
    if (route === null) return false;
    const query = new URLSearchParams(q === -1 ? '' : target.slice(q + 1));
    const done =
      route.kind === 'upload'
        ? serveUpload(this, route.token, req, res)
        : route.kind === 'download'
          ? serveDownload(this, route.token, query.get('inline') === '1', req, res)
          : Promise.resolve(sendStatus(res, 400, 'Bad file path.', true));
    done.catch((err: unknown) => {
      this.log.error({ err: (err as Error).message }, 'files: request failed');
      if (!res.headersSent) sendStatus(res, 500, 'Internal error.', true);
      else res.destroy();
    });
    return true;
  };

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.db.close();
  }
}

function chmodIfThere(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/**
 * A short text answer. `close`: the request's body (if any) is not read; the connection is
 * closed once the answer is out, after a short grace that lets the client read it.
 */
export function sendStatus(
  res: ServerResponse,
  status: number,
  text: string,
  close = false,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return void res.destroy();
  const body = Buffer.from(`${text}\n`, 'utf8');
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Tus-Resumable': '1.0.0',
    ...(close ? { Connection: 'close' } : {}),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
  if (close) closeAfter(res);
}

/**
 * Closes the connection once the answer is sent: the rest of the body is discarded for two
 * seconds at most (closing with unread data would reset the connection and could lose the
 * answer before the client reads it), then the socket is cut.
 */
function closeAfter(res: ServerResponse): void {
  const { req } = res;
  const socket = req.socket;
  res.once('finish', () => {
    req.resume();
    socket.end();
    setTimeout(() => socket.destroy(), 2000).unref();
  });
}
