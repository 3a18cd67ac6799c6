import type { ChatContext } from './context.js';
import { ownLineKey, type Conversation } from './conversation.js';
import type { ClientMessage, ServerOf } from './protocol.js';
import { remembered } from './storage.js';
import { messageNode, pendingNode } from './view/message-node.js';

/** A line the user sent that the server has not acknowledged yet. */
interface OutboxEntry {
  /** Client-chosen, unique across reloads: the server echoes it in the `ack` (or `error`). */
  ref: string;
  conv: Conversation;
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

const PAGE_PREFIX = Math.random().toString(36).slice(2, 10);

function requestOf(entry: OutboxEntry): ClientMessage {
  switch (entry.kind) {
    case 'say':
      return { type: 'say', text: entry.text, room: entry.target, ref: entry.ref };
    case 'me':
      return { type: 'me', text: entry.text, room: entry.target, ref: entry.ref };
    case 'msg':
      return { type: 'msg', to: entry.target, text: entry.text, ref: entry.ref };
  }
}

/**
 * Lines typed by the user until their `ack`: shown as pending, sent at once when possible,
 * else kept for the next connection (docs/WEB.md, "The outbox").
 */
export class Outbox {
  private readonly entries: OutboxEntry[] = [];
  private counter = 0;

  constructor(
    private readonly ctx: ChatContext,
    /** Whether lines may go out now (online and caught up). */
    private readonly canSend: () => boolean,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  add(conv: Conversation, kind: OutboxEntry['kind'], target: string, text: string): void {
    // Before the first welcome of a reload, the name is the one the tab is taking back.
    const node = pendingNode(
      this.ctx.me || (remembered.name() ?? ''),
      text,
      kind === 'me',
      this.ctx.t.sending,
    );
    conv.view.pendingEl.appendChild(node);
    this.counter++;
    const ref = `w${PAGE_PREFIX}-${this.counter}`;
    const entry: OutboxEntry = { ref, conv, kind, target, text, sent: false, baseId: 0, node };
    this.entries.push(entry);
    if (this.canSend()) this.deliver(entry);
    this.updateNote();
    this.ctx.shell.followIfCurrent(conv, true);
  }

  /** The server took a line: it becomes an ordinary message at its id. */
  onAck(m: ServerOf<'ack'>): boolean {
    const i = this.entries.findIndex((e) => e.ref === m.ref);
    if (i < 0) return false;
    const entry = this.entries[i] as OutboxEntry;
    this.entries.splice(i, 1);
    entry.node.remove();
    const { conv } = entry;
    const action = entry.kind === 'me';
    conv.view.insert(m.id, messageNode({ ts: m.ts, from: this.ctx.me, text: entry.text, action, own: true }));
    conv.lastId = Math.max(conv.lastId, m.id);
    conv.lastMessageId = Math.max(conv.lastMessageId, m.id);
    this.ctx.shell.followIfCurrent(conv);
    this.updateNote();
    return true;
  }

  /** The server refused a line: it stays on screen, marked as not sent, with the reason. */
  onError(ref: string, message: string): boolean {
    const entry = this.entries.find((e) => e.ref === ref);
    if (entry === undefined) return false;
    this.entries.splice(this.entries.indexOf(entry), 1);
    entry.node.classList.add('failed');
    const status = entry.node.querySelector('.status');
    if (status) status.textContent = `${this.ctx.t.notSent}: ${message}`;
    this.updateNote();
    return true;
  }

  /**
   * Sends what waited. A line sent before the connection dropped whose ack never came is sent
   * again with its `ref`: the server answers a repeat with the first `ack` (PROTOCOL.md,
   * "Sending twice"). A restarted server has forgotten the refs, so a line the history caught
   * up since already holds (the user's own line in that room, same text, an id above the
   * highest seen when it was sent) is not sent again either.
   */
  flush(): void {
    if (!this.canSend()) return;
    for (const entry of [...this.entries]) {
      if (entry.sent && this.alreadyStored(entry)) {
        this.entries.splice(this.entries.indexOf(entry), 1);
        entry.node.remove();
        continue;
      }
      this.deliver(entry);
    }
    this.updateNote();
  }

  /** Says how many lines wait while offline. */
  updateNote(): void {
    const waiting = this.entries.length;
    this.ctx.shell.setOutboxNote(waiting > 0 && !this.ctx.online ? this.ctx.t.offlineOutbox(waiting) : '');
  }

  private deliver(entry: OutboxEntry): void {
    entry.baseId = this.ctx.maxSeenId;
    entry.sent = this.ctx.send(requestOf(entry)) || entry.sent;
  }

  private alreadyStored(entry: OutboxEntry): boolean {
    if (entry.kind === 'msg') return false; // private messages are not stored: nothing to check
    const stored = entry.conv.ownLines.get(ownLineKey(entry.kind === 'me', entry.text));
    return stored !== undefined && stored > entry.baseId;
  }
}
