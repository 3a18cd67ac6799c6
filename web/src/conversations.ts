import { conversationKey, newConversation, type Conversation } from './conversation.js';
import type { Texts } from './i18n.js';
import type { Shell } from './shell.js';
import { remembered } from './storage.js';
import { noticeNode } from './view/message-node.js';

/** Local notices sit just after the newest event; each one a little further. */
const NOTICE_STEP = 1e-6;

/** The rooms and private conversations of the page, and which one is shown. */
export class Conversations {
  private readonly map = new Map<string, Conversation>();
  current: Conversation | null = null;
  private noticeSeq = 0;

  constructor(
    private readonly t: Texts,
    private readonly shell: Shell,
  ) {}

  list(): Conversation[] {
    return [...this.map.values()];
  }

  rooms(): Conversation[] {
    return this.list().filter((c) => c.kind === 'room');
  }

  find(kind: 'room' | 'private', name: string): Conversation | undefined {
    return this.map.get(conversationKey(kind, name));
  }

  /** The conversation, created (and listed) on first use. */
  get(kind: 'room' | 'private', name: string): Conversation {
    const key = conversationKey(kind, name);
    let conv = this.map.get(key);
    if (conv === undefined) {
      conv = newConversation(kind, name, this.t);
      this.map.set(key, conv);
      if (kind === 'room') this.save();
      this.shell.refresh();
    }
    return conv;
  }

  /** A private conversation follows its peer's rename. */
  renamePrivate(conv: Conversation, name: string): void {
    this.map.delete(conv.key);
    conv.name = name;
    conv.key = conversationKey('private', name);
    this.map.set(conv.key, conv);
  }

  drop(conv: Conversation): void {
    this.map.delete(conv.key);
    if (this.current === conv) {
      this.current = null;
      const next = this.rooms()[0] ?? this.list()[0];
      if (next) this.select(next);
    }
    this.save();
    this.shell.refresh();
  }

  /** The open rooms, for rejoining after a reload of this tab. */
  save(): void {
    remembered.setRooms(this.rooms().map((c) => c.name));
  }

  select(conv: Conversation): void {
    const previous = this.current;
    if (previous !== null && previous !== conv) previous.view.clearMarker('new');
    this.current = conv;
    this.markRead();
    this.shell.showConversation(conv, previous);
    this.shell.refresh();
  }

  /** The conversation the reader is looking at: none while the tab is hidden. */
  visible(): Conversation | null {
    return document.visibilityState === 'visible' ? this.current : null;
  }

  /** The current conversation is in view: its unread count goes. */
  markRead(): void {
    const conv = this.visible();
    if (conv === null) return;
    conv.unread = 0;
    conv.mentions = 0;
    this.shell.refresh();
  }

  countUnread(conv: Conversation, mention: boolean): void {
    if (conv === this.visible()) return;
    conv.unread++;
    if (mention) conv.mentions++;
    this.shell.refresh();
  }

  totalUnread(): number {
    let n = 0;
    for (const c of this.map.values()) n += c.unread;
    return n;
  }

  /** Command output and errors, shown in `conv` (by default the current one). */
  notice(lines: string[], conv: Conversation | null, after: number, kind = 'notice local'): void {
    if (conv === null) return this.shell.setStatus(lines.join(' '));
    for (const line of lines) {
      this.noticeSeq++;
      const key = Math.max(conv.view.lastKey, after) + this.noticeSeq * NOTICE_STEP;
      conv.view.insert(key, noticeNode(line, undefined, kind));
    }
    this.shell.followIfCurrent(conv);
  }

  /** Names and rooms Tab may complete. */
  completionCandidates(me: string): { names: string[]; rooms: string[] } {
    const names = new Set<string>();
    for (const c of this.map.values()) {
      if (c.kind === 'private') names.add(c.name);
      for (const u of c.users) names.add(u);
    }
    names.delete(me);
    return { names: [...names], rooms: this.rooms().map((c) => c.name) };
  }
}
