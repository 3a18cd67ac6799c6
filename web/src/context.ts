import type { Conversations } from './conversations.js';
import type { Texts } from './i18n.js';
import type { ClientMessage } from './protocol.js';
import type { Shell } from './shell.js';

/** What the app's parts (history, outbox, conversations) share: one object, the App. */
export interface ChatContext {
  readonly t: Texts;
  readonly shell: Shell;
  readonly convs: Conversations;
  /** The name the server gave us ('' before the first welcome). */
  readonly me: string;
  /** Highest event id received live: everything up to it has been seen. */
  readonly maxSeenId: number;
  /** Welcomed on an open connection. */
  readonly online: boolean;
  send(message: ClientMessage): boolean;
  /** A fresh `ref` for a request. */
  ref(): string;
}
