import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Lang } from '../../protocol/texts.js';
import { downloadFile } from './download.js';
import type { FileCommand } from './file-command.js';
import { formatBytes } from '../../protocol/format-bytes.js';
import { sha256OfFile } from './hash-file.js';
import type { FileMessage, FileOfferRequest, UploadSlotMessage } from './messages.js';
import { TransferError } from './http.js';
import { OfferRefused } from './ref-queue.js';
import { throttle, type Progress } from './progress.js';
import { FILE_TEXTS } from './texts.js';
import { slotOffset, uploadFile } from './upload.js';
import { fileAt } from './file-info.js';

/** What the transfers need from the user interface they run in (terminal or pipe). */
export interface TransferHost {
  lang: Lang;
  offerFile(request: FileOfferRequest): Promise<UploadSlotMessage>;
  /** The `file` event of an id this session did not see, asked of the server. */
  lookUpFile(id: number): Promise<FileMessage>;
  downloadDir(): string;
  /** The transfers under way (throttled to a few calls a second; [] when none is left). */
  progress(active: Progress[]): void;
  /** A transfer finished: one line. */
  done(text: string): void;
  /** Something worth telling on the way (a resume). */
  info(text: string): void;
  failed(text: string): void;
}

function reason(err: unknown): string {
  if (err instanceof OfferRefused || err instanceof TransferError) return err.message;
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
}

/**
 * The file transfers of one client session (issue #14): `/send` hashes, offers and uploads,
 * `/get` downloads a file seen in the chat. Slots of uploads that broke are remembered, so the
 * same `/send` again resumes instead of starting over.
 */
export class Transfers {
  private readonly offers = new Map<string, FileMessage>();
  /** Upload slots not yet filled, by `sha256:size:target`. */
  private readonly slots = new Map<string, string>();
  private readonly active = new Set<Progress>();
  private readonly running = new Set<Promise<void>>();
  private readonly redraw = throttle(() => this.host.progress([...this.active]), 250);

  constructor(private readonly host: TransferHost) {}

  /** A `file` event: it can be fetched with `/get ID` from now on. */
  seen(m: FileMessage): void {
    this.offers.set(String(m.id), m);
  }

  /** Starts a `/send` or `/get` (a usage error is reported at once). */
  run(cmd: FileCommand): void {
    const t = FILE_TEXTS[this.host.lang];
    if (cmd.kind === 'usage') return this.host.failed(cmd.command === 'send' ? t.sendUsage : t.getUsage);
    const job = cmd.kind === 'send' ? this.send(cmd.target, cmd.path) : this.get(cmd.id, cmd.dir);
    const tracked = job.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Resolves once no transfer is running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private track(p: Progress): (done: number, from: number) => void {
    this.active.add(p);
    return (done, from) => {
      if (from !== p.startDone) {
        p.startDone = from;
        p.startMs = Date.now();
      }
      p.done = done;
      this.redraw.poke();
    };
  }

  private untrack(p: Progress): void {
    if (!this.active.delete(p)) return;
    this.redraw.flush();
  }

  private async send(target: string, path: string): Promise<void> {
    const t = FILE_TEXTS[this.host.lang];
    const name = basename(path);
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error('not a regular file');
      size = info.size;
    } catch (err) {
      return this.host.failed(t.cannotRead(path, reason(err)));
    }
    const hashing: Progress = {
      direction: 'hash',
      name,
      done: 0,
      total: size,
      startDone: 0,
      startMs: Date.now(),
    };
    const onHashed = this.track(hashing);
    let hashed = 0;
    let sha256: string;
    try {
      sha256 = await sha256OfFile(path, undefined, (n) => onHashed((hashed += n), 0));
    } catch (err) {
      return this.host.failed(t.cannotRead(path, reason(err)));
    } finally {
      this.untrack(hashing);
    }
    const key = `${sha256}:${size}:${target.toLowerCase()}`;
    const progress: Progress = {
      direction: 'up',
      name,
      done: 0,
      total: size,
      startDone: 0,
      startMs: Date.now(),
    };
    try {
      let url = this.slots.get(key);
      if (url !== undefined) {
        const offset = await slotOffset(url).catch(() => -1);
        if (offset < 0) url = undefined;
        else if (offset > 0) this.host.info(t.resumedUpload(name, formatBytes(offset)));
      }
      if (url === undefined) {
        const offer: FileOfferRequest = { type: 'file_offer', name, size, sha256 };
        if (target.startsWith('#')) offer.room = target;
        else offer.to = target;
        url = (await this.host.offerFile(offer)).url;
        this.slots.set(key, url);
      }
      await uploadFile({ url, path, size, onProgress: this.track(progress) });
      this.slots.delete(key);
      this.untrack(progress); // the bar goes before the line saying it is done
      this.host.done(t.sent(name, formatBytes(size), target));
    } catch (err) {
      // A slot the server dropped cannot be resumed; a broken connection's can.
      if (err instanceof TransferError && !err.retry) this.slots.delete(key);
      this.untrack(progress);
      this.host.failed(t.sendFailed(name, reason(err)));
    } finally {
      this.untrack(progress);
    }
  }

  private async get(id: string, dir: string | null): Promise<void> {
    const t = FILE_TEXTS[this.host.lang];
    let offer: Pick<FileMessage, 'url' | 'name' | 'size' | 'sha256'> | undefined = this.offers.get(id);
    if (!offer && /^https?:\/\//i.test(id)) {
      try {
        offer = await fileAt(id);
      } catch (err) {
        return this.host.failed(t.getFailed(id, reason(err)));
      }
    } else if (!offer && /^[1-9]\d{0,15}$/.test(id)) {
      // An offer from before this session (or before a reconnect): the server knows it.
      try {
        offer = await this.host.lookUpFile(Number(id));
      } catch (err) {
        if (err instanceof OfferRefused && err.code === 'NO_SUCH_FILE')
          return this.host.failed(t.noSuchOffer(id));
        return this.host.failed(t.getFailed(`#${id}`, reason(err)));
      }
    }
    if (!offer) return this.host.failed(t.noSuchOffer(id));
    const progress: Progress = {
      direction: 'down',
      name: offer.name,
      done: 0,
      total: offer.size,
      startDone: 0,
      startMs: Date.now(),
    };
    try {
      const result = await downloadFile({
        url: offer.url,
        name: offer.name,
        size: offer.size,
        sha256: offer.sha256,
        dir: dir ?? this.host.downloadDir(),
        onProgress: this.track(progress),
      });
      this.untrack(progress);
      if (result.resumedFrom > 0)
        this.host.info(t.resumedDownload(offer.name, formatBytes(result.resumedFrom)));
      this.host.done(t.saved(result.path, formatBytes(offer.size)));
    } catch (err) {
      this.untrack(progress);
      this.host.failed(t.getFailed(offer.name, reason(err)));
    } finally {
      this.untrack(progress);
    }
  }
}
