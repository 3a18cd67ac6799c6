import { nameColorClass } from '../colors.js';
import { h } from '../dom.js';
import { formatBytes } from '../../../src/protocol/format-bytes.js';
import type { Texts } from '../i18n.js';

/** A `file` event as the app shows it (issue #14). */
export interface FileSpec {
  ts: number;
  from: string;
  /** A private file: the recipient. */
  to?: string;
  own: boolean;
  name: string;
  size: number;
  mime: string;
  /** Already brought to the page's origin (see sameOrigin). */
  url: string;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * A file offer: who sent it, its name and size, a download link, and for an image (the server
 * decided `mime` from the bytes) a preview. Text only, never HTML, as every other line.
 */
export function fileNode(spec: FileSpec, t: Texts): HTMLElement {
  const date = new Date(spec.ts);
  const isImage = /^image\/(png|jpeg|gif|webp)$/.test(spec.mime);
  const link = (...children: (Node | string)[]) =>
    h('a', { href: spec.url, download: spec.name, rel: 'noopener noreferrer' }, ...children);
  return h(
    'li',
    { class: `msg file${spec.own ? ' own' : ''}` },
    h('time', { datetime: date.toISOString() }, timeFormat.format(date)),
    h(
      'span',
      { class: `from ${nameColorClass(spec.from)}` },
      spec.to && !spec.own ? t.sentYou(spec.from) : t.sentFile(spec.from),
    ),
    ' ',
    h(
      'span',
      { class: 'file-card' },
      isImage
        ? link(h('img', { class: 'preview', src: `${spec.url}?inline=1`, alt: spec.name, loading: 'lazy' }))
        : null,
      h('span', { class: 'file-name' }, spec.name),
      h('span', { class: 'file-size' }, formatBytes(spec.size)),
      link(t.download),
    ),
  );
}

/** An upload under way: name, a progress bar, what is happening, and a cancel button. */
export function uploadRow(name: string, size: number, t: Texts, onCancel: () => void) {
  const bar = h('progress', { max: String(Math.max(1, size)), value: '0' });
  const status = h('span', { class: 'upload-status' }, t.hashing);
  const cancel = h('button', { type: 'button', class: 'small-button' }, t.cancel);
  cancel.addEventListener('click', onCancel);
  const el = h('li', { class: 'upload' }, h('span', { class: 'file-name' }, name), bar, status, cancel);
  return {
    el,
    progress(done: number, text: string) {
      bar.value = done;
      status.textContent = text;
    },
  };
}
