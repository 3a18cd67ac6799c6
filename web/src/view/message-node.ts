import { nameColorClass } from '../colors.js';
import { h } from '../dom.js';
import { renderText } from './render-text.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

function timeNode(ts: number): HTMLElement {
  const date = new Date(ts);
  return h('time', { datetime: date.toISOString(), title: fullFormat.format(date) }, timeFormat.format(date));
}

/** What one line of the conversation shows. */
export interface LineSpec {
  ts: number;
  from: string;
  text: string;
  action: boolean;
  /** The text names the reader: highlighted. */
  mention?: boolean;
  /** Sent by the reader. */
  own?: boolean;
  /** Shown under a search result: the room it was said in. */
  room?: string;
}

/** A message or action: time, author in their colour, formatted text. */
export function messageNode(spec: LineSpec): HTMLElement {
  const classes = ['msg'];
  if (spec.action) classes.push('action');
  if (spec.mention) classes.push('mention');
  if (spec.own) classes.push('own');
  const author = h('span', { class: `from ${nameColorClass(spec.from)}` }, spec.from);
  const body = h('span', { class: 'text' }, renderText(spec.text));
  return h(
    'li',
    { class: classes.join(' ') },
    timeNode(spec.ts),
    spec.room ? h('span', { class: 'room-tag' }, spec.room) : null,
    spec.action ? h('span', { class: 'star', 'aria-hidden': 'true' }, '*') : null,
    author,
    spec.action ? ' ' : h('span', { class: 'sep', 'aria-hidden': 'true' }, ': '),
    body,
  );
}

/** A server notice (join, part, topic…) or a local one (command output, errors). */
export function noticeNode(text: string, ts?: number, kind = 'notice'): HTMLElement {
  return h('li', { class: kind }, ts === undefined ? null : timeNode(ts), h('span', { class: 'text' }, text));
}

/** A divider: the new-messages line, the history gap, the start of history. */
export function markerNode(text: string, kind: string): HTMLElement {
  return h('li', { class: `marker ${kind}`, role: 'separator' }, h('span', {}, text));
}

/** A line typed by the reader that has no id yet: shown as pending until its `ack`. */
export function pendingNode(from: string, text: string, action: boolean, status: string): HTMLElement {
  const node = messageNode({ ts: Date.now(), from, text, action, own: true });
  node.classList.add('pending');
  node.appendChild(h('span', { class: 'status' }, status));
  return node;
}
