import type { ChatContext } from './context.js';
import type { Conversation } from './conversation.js';
import { byId, h } from './dom.js';
import type { ClientMessage, FileMessage } from './protocol.js';
import { sha256OfBlob } from './sha256.js';
import { formatBytes } from '../../src/protocol/format-bytes.js';
import { sameOrigin } from './file-urls.js';
import { fileNode, uploadRow } from './view/file-node.js';

/** Bytes per PATCH: progress moves and a broken upload resumes at this grain. */
export const CHUNK_BYTES = 4 * 1024 * 1024;
/** Tries in a row before a broken upload is given up (each resumes where the last stopped). */
const ATTEMPTS = 6;

/** The file messages of the protocol (docs/PROTOCOL.md, "Files"), read at the boundary. */
type FileEvent = Extract<FileMessage, { type: 'file' }>;
type UploadSlot = Extract<FileMessage, { type: 'upload_slot' }>;
type Loose = { type: string; ref?: unknown; [k: string]: unknown };

const isFileEvent = (m: Loose): m is Loose & FileEvent =>
  m.type === 'file' &&
  typeof m.id === 'number' &&
  typeof m.ts === 'number' &&
  typeof m.from === 'string' &&
  typeof m.name === 'string' &&
  typeof m.size === 'number' &&
  typeof m.mime === 'string' &&
  typeof m.url === 'string' &&
  (typeof m.room === 'string' || typeof m.to === 'string');

class Cancelled extends Error {}

const TUS = { 'Tus-Resumable': '1.0.0' };

/**
 * Sending and showing files in the browser (issue #14): the attach button, drag and drop and
 * pasted images start an upload (hash, `file_offer`, PATCH in 4 MiB chunks, resumable and
 * cancellable); `file` events become lines with a download link and, for images, a preview.
 */
export class Files {
  private readonly waiting = new Map<string, { resolve(s: UploadSlot): void; reject(e: Error): void }>();
  private readonly list = h('ol', { class: 'uploads', 'aria-live': 'polite' });

  constructor(
    private readonly ctx: ChatContext,
    private readonly onShown: (
      conv: Conversation,
      id: number,
      node: HTMLElement,
      spoken: string | null,
    ) => void,
  ) {}

  /** Wires the attach button, drops on the chat and pasted files. */
  attach(): void {
    const t = this.ctx.t;
    const composer = byId<HTMLFormElement>('composer');
    composer.before(this.list);
    // A label for a visually hidden (still focusable) file input: a native, keyboard-reachable
    // attach control that needs no script to open the picker.
    const picker = h('input', {
      type: 'file',
      multiple: true,
      id: 'file-input',
      class: 'visually-hidden',
      'aria-label': t.attach,
    });
    const label = h(
      'label',
      { for: 'file-input', class: 'attach', title: t.attach },
      h('span', { 'aria-hidden': 'true' }, '📎'),
    );
    picker.addEventListener('change', () => {
      this.sendAll(picker.files);
      picker.value = '';
    });
    composer.prepend(picker, label);
    const main = composer.parentElement ?? document.body;
    main.addEventListener('dragover', (e) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      main.classList.add('dropping');
    });
    main.addEventListener('dragleave', (e) => {
      if (e.target === main || !main.contains(e.relatedTarget as Node | null))
        main.classList.remove('dropping');
    });
    main.addEventListener('drop', (e) => {
      main.classList.remove('dropping');
      if (!e.dataTransfer || e.dataTransfer.files.length === 0) return;
      e.preventDefault();
      this.sendAll(e.dataTransfer.files);
    });
    document.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length === 0) return;
      e.preventDefault();
      this.sendAll(files);
    });
  }

  /** The connection broke: offers not yet answered never will be (the upload says so). */
  disconnected(): void {
    for (const w of this.waiting.values()) w.reject(new Error(this.ctx.t.connectionLost));
    this.waiting.clear();
  }

  /** Takes a file message (or an error answering an offer); false for anything else. */
  take(m: Loose): boolean {
    if (m.type === 'upload_slot' && typeof m.ref === 'string') {
      const w = this.waiting.get(m.ref);
      this.waiting.delete(m.ref);
      w?.resolve(m as unknown as UploadSlot);
      return w !== undefined;
    }
    if (m.type === 'error' && typeof m.ref === 'string' && this.waiting.has(m.ref)) {
      this.waiting.get(m.ref)?.reject(new Error(String(m.message)));
      this.waiting.delete(m.ref);
      return true;
    }
    if (m.type !== 'file') return false;
    if (isFileEvent(m)) this.show(m);
    return true;
  }

  private show(m: FileEvent): void {
    const me = this.ctx.me.toLowerCase();
    const own = m.from.toLowerCase() === me;
    const url = sameOrigin(m.url, location.origin);
    if (url === null) return;
    const conv =
      m.room !== undefined
        ? this.ctx.convs.get('room', m.room)
        : this.ctx.convs.get('private', own ? (m.to ?? '') : m.from);
    const spec = { ts: m.ts, from: m.from, own, name: m.name, size: m.size, mime: m.mime, url };
    const node = fileNode(m.to === undefined ? spec : { ...spec, to: m.to }, this.ctx.t);
    // Someone else's file counts as news (unread, read out); one's own does not.
    this.onShown(conv, m.id, node, own ? null : `${m.from}: ${m.name} (${formatBytes(m.size)})`);
  }

  private sendAll(files: Iterable<File> | null): void {
    const conv = this.ctx.convs.current;
    if (conv === null) return this.ctx.shell.setStatus(this.ctx.t.noConversation);
    for (const file of files ?? []) void this.upload(file, conv);
  }

  private offer(file: File, sha256: string, conv: Conversation): Promise<UploadSlot> {
    const ref = `f${this.ctx.ref()}`;
    const offer = { type: 'file_offer', ref, name: file.name || 'pasted', size: file.size, sha256 };
    const target = conv.kind === 'room' ? { room: conv.name } : { to: conv.name };
    return new Promise((resolve, reject) => {
      this.waiting.set(ref, { resolve, reject });
      if (!this.ctx.send({ ...offer, ...target } as unknown as ClientMessage)) {
        this.waiting.delete(ref);
        reject(new Error('offline'));
      }
    });
  }

  private async upload(file: File, conv: Conversation): Promise<void> {
    const t = this.ctx.t;
    const abort = new AbortController();
    let slotUrl: string | null = null;
    const row = uploadRow(file.name || 'pasted', file.size, t, () => {
      abort.abort();
      if (slotUrl !== null) void fetch(slotUrl, { method: 'DELETE', headers: TUS }).catch(() => {});
    });
    this.list.appendChild(row.el);
    try {
      const sha256 = await sha256OfBlob(file, (done) => {
        if (abort.signal.aborted) throw new Cancelled();
        row.progress(0, `${t.hashing} ${Math.floor((done / Math.max(1, file.size)) * 100)}%`);
      });
      if (abort.signal.aborted) throw new Cancelled();
      row.progress(0, t.waitingSlot);
      const slot = await this.offer(file, sha256, conv);
      slotUrl = sameOrigin(slot.url, location.origin);
      if (slotUrl === null) throw new Error('bad upload URL');
      await this.patchAll(file, slotUrl, abort.signal, (done, rate) =>
        row.progress(done, t.uploading(Math.floor((done / Math.max(1, file.size)) * 100), formatBytes(rate))),
      );
      row.el.remove();
    } catch (err) {
      row.el.remove();
      const name = file.name || 'pasted';
      const text = abort.signal.aborted
        ? t.uploadCancelled(name)
        : t.uploadFailed(name, (err as Error).message);
      this.ctx.convs.notice(
        [text],
        conv,
        this.ctx.maxSeenId,
        abort.signal.aborted ? 'notice local' : 'notice error',
      );
    }
  }

  /** HEAD for the offset, then PATCH chunk after chunk; a network error resumes after a pause. */
  private async patchAll(
    file: File,
    url: string,
    signal: AbortSignal,
    progress: (done: number, rate: number) => void,
  ): Promise<void> {
    const started = performance.now();
    let first = -1;
    for (let attempt = 0; ; attempt++) {
      try {
        const head = await fetch(url, { method: 'HEAD', headers: TUS, signal, cache: 'no-store' });
        if (!head.ok) throw new Error(`HTTP ${head.status}`);
        let offset = Number(head.headers.get('Upload-Offset') ?? 0);
        if (first < 0) first = offset;
        while (offset < file.size) {
          const res = await fetch(url, {
            method: 'PATCH',
            signal,
            headers: {
              ...TUS,
              'Upload-Offset': String(offset),
              'Content-Type': 'application/offset+octet-stream',
            },
            body: file.slice(offset, offset + CHUNK_BYTES),
          });
          if (res.status !== 204) {
            const text = (await res.text().catch(() => '')).slice(0, 200);
            throw Object.assign(new Error(text || `HTTP ${res.status}`), {
              final: res.status !== 409 && res.status < 500,
            });
          }
          offset = Number(res.headers.get('Upload-Offset'));
          const seconds = (performance.now() - started) / 1000;
          progress(offset, seconds > 0 ? (offset - first) / seconds : 0);
        }
        return;
      } catch (err) {
        if (signal.aborted || (err as { final?: boolean }).final || attempt + 1 >= ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.min(8000, 500 * 2 ** attempt)));
      }
    }
  }
}
