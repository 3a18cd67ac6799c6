import type { Texts } from './i18n.js';
import { ConversationView } from './view/conversation-view.js';

/** A room the user is in, or a private conversation with one person. */
export interface Conversation {
  /** `room:#geral` or `pm:alice`, lower-cased: rooms and names compare without case. */
  key: string;
  kind: 'room' | 'private';
  /** As the server spells it: `#geral`, `alice`. */
  name: string;
  view: ConversationView;
  unread: number;
  mentions: number;
  /** Members shown (a busy room lists its first 100 only). */
  users: string[];
  /** Members in all, as the server counts them. */
  userCount: number;
  topic: string;
  /** Highest event id shown here from a live event, a replay or an ack. */
  lastId: number;
  /** Highest message id shown here (notices aside). */
  lastMessageId: number;
  /** `lastMessageId` when the current catch-up began: if history no longer reaches it, a gap. */
  lastShownBefore: number;
  /** Oldest message id shown, for paging back; null before any. */
  oldestId: number | null;
  /** The server said older messages exist before `oldestId`. */
  moreOlder: boolean;
  loadingOlder: boolean;
  /** While catching up after a reconnect: the id everything up to which was already shown. */
  syncSince: number | null;
  /** The reader's own lines seen in history (kind and text → newest id): resends check it. */
  ownLines: Map<string, number>;
}

export function ownLineKey(action: boolean, text: string): string {
  return `${action ? 'me' : 'say'}\u0000${text}`;
}

export function conversationKey(kind: 'room' | 'private', name: string): string {
  return `${kind === 'room' ? 'room' : 'pm'}:${name.toLowerCase()}`;
}

export function newConversation(kind: 'room' | 'private', name: string, t: Texts): Conversation {
  return {
    key: conversationKey(kind, name),
    kind,
    name,
    view: new ConversationView(kind === 'room' ? name : t.privateTitle(name)),
    unread: 0,
    mentions: 0,
    users: [],
    userCount: 0,
    topic: '',
    lastId: 0,
    lastMessageId: 0,
    lastShownBefore: 0,
    oldestId: null,
    moreOlder: false,
    loadingOlder: false,
    syncSince: null,
    ownLines: new Map(),
  };
}

/** Whether `text` names `me` as a word (`@ana`, `ana:`, `Ana!`), case aside. */
export function mentions(text: string, me: string): boolean {
  if (me === '') return false;
  const escaped = me.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}_])${escaped}($|[^\\p{L}\\p{N}_])`, 'iu').test(text);
}
