import type { ClientMessage } from './protocol.js';

/** A line the user sent that the server has not acknowledged yet. */
export interface OutboxEntry {
  /** Client-chosen, unique across reloads: the server echoes it in the `ack` (or `error`). */
  ref: string;
  convKey: string;
  kind: 'say' | 'me' | 'msg';
  /** The room (say, me) or the recipient (msg). */
  target: string;
  text: string;
  /** Sent on some connection; its ack may have been lost with it. */
  sent: boolean;
  /** Highest event id seen when it was last sent: a stored copy must have a higher one. */
  baseId: number;
  node: HTMLElement;
}

const SESSION_PREFIX = Math.random().toString(36).slice(2, 10);
let counter = 0;

export function newRef(): string {
  counter++;
  return `w${SESSION_PREFIX}-${counter}`;
}

/** The request that delivers an entry. */
export function requestOf(entry: OutboxEntry): ClientMessage {
  switch (entry.kind) {
    case 'say':
      return { type: 'say', text: entry.text, room: entry.target, ref: entry.ref };
    case 'me':
      return { type: 'me', text: entry.text, room: entry.target, ref: entry.ref };
    case 'msg':
      return { type: 'msg', to: entry.target, text: entry.text, ref: entry.ref };
  }
}
