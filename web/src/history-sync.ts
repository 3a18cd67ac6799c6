import type { ChatContext } from './context.js';
import type { Conversation } from './conversation.js';
import type { ChatLine, ServerMessage, ServerOf } from './protocol.js';
import { markerNode } from './view/message-node.js';

/** Messages asked for per page when scrolling up or catching up (the server allows 1–200). */
export const PAGE_LIMIT = 100;

/** A `history` header and the stored lines that follow it. */
interface Collecting {
  header: ServerOf<'history'>;
  records: ChatLine[];
}

/** An older page asked for: to scroll back, or to catch up after a reconnect. */
interface PageRequest {
  conv: Conversation;
  purpose: 'older' | 'catch-up';
}

/** What history hands back to the app. */
export interface HistoryHooks {
  /** Shows one stored line in `conv` (deduplicated by id there). */
  showStored(conv: Conversation, record: ChatLine): void;
  /** A catch-up ended: the outbox may go out once all have. */
  onCaughtUp(): void;
  onSearch(query: string, records: ChatLine[]): void;
}

/**
 * Stored messages: the replay on entering a room, older pages on scrolling up, search results,
 * and the catch-up after a reconnect (docs/WEB.md, "Reconnecting without gaps or duplicates").
 */
export class HistorySync {
  private collecting: Collecting | null = null;
  private readonly pages = new Map<string, PageRequest>();
  private searchRef: string | null = null;

  constructor(
    private readonly ctx: ChatContext,
    private readonly hooks: HistoryHooks,
  ) {}

  /** The connection is gone: whatever was asked is lost with it. */
  reset(): void {
    this.collecting = null;
    for (const p of this.pages.values()) p.conv.loadingOlder = false;
    this.pages.clear();
  }

  /** True while any room is still catching up: lines typed meanwhile wait. */
  get catchingUp(): boolean {
    return this.ctx.convs.rooms().some((c) => c.syncSince !== null);
  }

  /** Takes the stored lines that follow a header; false for anything else. */
  take(m: ServerMessage): boolean {
    const c = this.collecting;
    if (c === null || (m.type !== 'message' && m.type !== 'action') || m.history !== true) return false;
    c.records.push(m);
    if (c.records.length >= c.header.count) this.finish();
    return true;
  }

  onHeader(m: ServerOf<'history'>): void {
    this.collecting = { header: m, records: [] };
    if (m.count === 0) this.finish();
  }

  /** Every replay asked for has arrived: a room that got none (history off) is caught up. */
  onRejoinsAnswered(): void {
    const waiting = new Set([...this.pages.values()].map((p) => p.conv));
    for (const conv of this.ctx.convs.rooms()) {
      if (conv.syncSince !== null && !waiting.has(conv)) conv.syncSince = null;
    }
    this.hooks.onCaughtUp();
  }

  /** An error answered `ref`: true if it was a page request of ours. */
  onError(ref: string): boolean {
    const page = this.pages.get(ref);
    if (page === undefined) return false;
    this.pages.delete(ref);
    page.conv.loadingOlder = false;
    if (page.purpose === 'catch-up') this.endCatchUp(page.conv);
    return true;
  }

  /** Scrolled to the top: asks for the page before the oldest message shown. */
  loadOlder(conv: Conversation): void {
    if (conv.kind !== 'room' || !conv.moreOlder || conv.loadingOlder || conv.oldestId === null) return;
    if (!this.ctx.online) return;
    conv.loadingOlder = true;
    this.askPage(conv, 'older');
  }

  search(query: string, conv: Conversation | null): void {
    this.searchRef = this.ctx.ref();
    if (conv?.kind === 'room') this.ctx.send({ type: 'search', query, room: conv.name, ref: this.searchRef });
    else this.ctx.send({ type: 'search', query, all: true, ref: this.searchRef });
  }

  private askPage(conv: Conversation, purpose: PageRequest['purpose']): void {
    const ref = this.ctx.ref();
    this.pages.set(ref, { conv, purpose });
    const before = conv.oldestId ?? undefined;
    this.ctx.send({ type: 'history', room: conv.name, before, limit: PAGE_LIMIT, ref });
  }

  private finish(): void {
    const done = this.collecting;
    this.collecting = null;
    if (done === null) return;
    const { header, records } = done;
    const ref = header.ref === undefined ? undefined : String(header.ref);
    if (header.kind === 'search') {
      if (ref === this.searchRef) this.hooks.onSearch(header.query ?? '', records);
      return;
    }
    const page = ref === undefined ? undefined : this.pages.get(ref);
    if (ref !== undefined) this.pages.delete(ref);
    const conv =
      page?.conv ?? this.ctx.convs.get('room', header.room ?? this.ctx.convs.current?.name ?? '#geral');
    conv.loadingOlder = false;
    for (const r of records) this.hooks.showStored(conv, r);
    const oldest = records[0]?.id;
    const wasOldest = conv.oldestId;
    if (oldest !== undefined) conv.oldestId = wasOldest === null ? oldest : Math.min(wasOldest, oldest);
    const more = header.more === true;
    if (conv.syncSince !== null && (header.kind === 'replay' || page?.purpose === 'catch-up')) {
      return this.continueCatchUp(conv, records, more);
    }
    // Only the oldest answer decides whether there is more to scroll back to.
    if (
      header.kind === 'replay'
        ? wasOldest === null || (oldest ?? Infinity) <= wasOldest
        : oldest === conv.oldestId
    ) {
      conv.moreOlder = more;
    }
    if (!conv.moreOlder && conv.view.size > 0 && conv.oldestId !== null) {
      conv.view.setMarker('start', conv.oldestId - 0.9, markerNode(this.ctx.t.historyStart, 'start'));
    }
    this.ctx.shell.afterOlder(conv);
  }

  /**
   * After a reconnect: the replay held what came after `syncSince`; while the server says there
   * is more, page back until reaching what was already shown. If the history ends first, the
   * messages between expired (retention): a gap marker says so.
   */
  private continueCatchUp(conv: Conversation, records: ChatLine[], more: boolean): void {
    const since = conv.syncSince ?? 0;
    const first = records.find((r) => r.id > since && r.from.toLowerCase() !== this.ctx.me.toLowerCase());
    if (first !== undefined && !conv.view.hasMarker('new')) {
      conv.view.setMarker('new', first.id - 0.5, markerNode(this.ctx.t.newMessages, 'new'));
    }
    const reached = records.length === 0 || (records[0] as ChatLine).id <= since;
    if (!reached && more) return this.askPage(conv, 'catch-up');
    if (!reached && conv.lastShownBefore > 0) {
      conv.view.insert((records[0] as ChatLine).id - 0.75, markerNode(this.ctx.t.historyGap, 'gap'));
    }
    this.endCatchUp(conv);
  }

  private endCatchUp(conv: Conversation): void {
    conv.syncSince = null;
    this.ctx.shell.followIfCurrent(conv);
    this.hooks.onCaughtUp();
  }
}
