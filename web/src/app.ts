import { parseInput, roomName, type Command } from './commands.js';
import { conversationKey, mentions, newConversation, ownLineKey, type Conversation } from './conversation.js';
import type { Texts } from './i18n.js';
import { notify } from './notify.js';
import { newRef, requestOf, type OutboxEntry } from './outbox.js';
import {
  PROTOCOL_VERSION,
  type ChatLine,
  type ClientMessage,
  type ServerMessage,
  type ServerOf,
} from './protocol.js';
import type { Shell } from './shell.js';
import { ChatSocket } from './socket.js';
import { remembered } from './storage.js';
import { markerNode, messageNode, noticeNode, pendingNode } from './view/message-node.js';

/** Messages asked for per page when scrolling up or catching up. */
const PAGE_LIMIT = 100;
/** Local notices sit just after the newest event; each one a little further. */
const NOTICE_STEP = 1e-6;

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

/**
 * The chat client: speaks the JSON protocol over the socket, keeps the conversations, the
 * outbox and the catching-up after a reconnect, and tells the shell what to show.
 */
export class App {
  private readonly socket: ChatSocket;
  private readonly conversations = new Map<string, Conversation>();
  private current: Conversation | null = null;
  private me = '';
  private wantedName = '';
  private welcomed = false;
  private defaultRoom = '#geral';
  /** Highest event id received live on any connection of this page: the next `since`. */
  private maxSeenId = 0;
  private collecting: Collecting | null = null;
  private readonly pages = new Map<string, PageRequest>();
  private readonly outbox: OutboxEntry[] = [];
  /** Until the server's answer to our `ping` after a (re)join: replays may still be coming. */
  private syncRef: string | null = null;
  private noticeSeq = 0;
  private searchRef: string | null = null;
  private nextRef = 1;
  private readonly pendingJoins = new Set<string>();

  constructor(
    private readonly t: Texts,
    private readonly shell: Shell,
    wsUrl: string,
  ) {
    this.socket = new ChatSocket(wsUrl, {
      onOpen: () => this.onOpen(),
      onMessage: (m) => this.onMessage(m),
      onDown: (retryMs) => this.onDown(retryMs),
    });
  }

  /** Rejoins at once after a reload (the tab kept its token), else asks for a name. */
  start(): void {
    const name = remembered.name();
    if (name !== null && remembered.token() !== null) {
      this.wantedName = name;
      this.shell.showChat();
      this.shell.setStatus(this.t.connecting);
      this.socket.start();
      return;
    }
    this.shell.showLogin(name ?? '', '');
  }

  login(name: string): void {
    this.wantedName = name.trim();
    if (this.socket.isOpen) return this.sendHello();
    this.shell.setLoginBusy(true);
    this.socket.start();
  }

  reconnectNow(): void {
    this.socket.start();
    this.socket.retryNow();
  }

  get conversationList(): Conversation[] {
    return [...this.conversations.values()];
  }

  get currentConversation(): Conversation | null {
    return this.current;
  }

  get myName(): string {
    return this.me;
  }

  /** Names and rooms Tab may complete. */
  completionCandidates(): { names: string[]; rooms: string[] } {
    const names = new Set<string>();
    for (const c of this.conversations.values()) {
      if (c.kind === 'private') names.add(c.name);
      for (const u of c.users) names.add(u);
    }
    names.delete(this.me);
    const rooms = this.conversationList.filter((c) => c.kind === 'room').map((c) => c.name);
    return { names: [...names], rooms };
  }

  // --- connection -------------------------------------------------------------------------

  private send(message: ClientMessage): boolean {
    return this.socket.send(message);
  }

  private ref(): string {
    return `r${this.nextRef++}`;
  }

  private onOpen(): void {
    this.shell.setStatus(this.t.connecting);
    if (this.wantedName !== '') this.sendHello();
  }

  private sendHello(): void {
    this.welcomed = false;
    this.collecting = null;
    this.pages.clear();
    const token = remembered.token();
    const hello: ClientMessage = {
      type: 'hello',
      version: PROTOCOL_VERSION,
      name: this.wantedName,
      lang: this.t.lang,
      client: 'papo-web',
    };
    if (token !== null) hello.token = token;
    if (this.maxSeenId > 0) hello.since = this.maxSeenId;
    this.send(hello);
  }

  private onDown(retryMs: number | null): void {
    this.welcomed = false;
    this.collecting = null;
    this.syncRef = null;
    for (const p of this.pages.values()) p.conv.loadingOlder = false;
    this.pages.clear();
    if (retryMs === null) return;
    if (this.me === '' && !remembered.token()) {
      this.shell.setLoginBusy(false);
      this.shell.showLogin(this.wantedName, this.t.reconnectingIn(Math.ceil(retryMs / 1000)));
      return;
    }
    this.shell.setStatus(this.t.reconnectingIn(Math.ceil(retryMs / 1000)), this.t.reconnectNow);
    this.updateOutboxStatus();
  }

  // --- server messages --------------------------------------------------------------------

  private onMessage(m: ServerMessage): void {
    if (this.collecting !== null && (m.type === 'message' || m.type === 'action') && m.history) {
      this.collecting.records.push(m);
      if (this.collecting.records.length >= this.collecting.header.count) this.finishCollecting();
      return;
    }
    switch (m.type) {
      case 'hello':
        this.defaultRoom = m.defaultRoom ?? this.defaultRoom;
        return;
      case 'welcome':
        return this.onWelcome(m);
      case 'message':
      case 'action':
        return this.onLine(m);
      case 'private':
        return this.onPrivate(m);
      case 'join':
      case 'part':
      case 'topic':
        return this.onRoomEvent(m);
      case 'leave':
        return this.onLeave(m);
      case 'nick':
        return this.onNick(m);
      case 'room':
        return this.onRoom(m);
      case 'rooms':
        return this.localNotice([
          this.t.roomsList,
          ...m.rooms.map((r) => this.t.roomLine(r.room, r.users, r.topic)),
        ]);
      case 'topic_info':
        return this.localNotice([this.t.topicIs(m.room, m.text)], this.room(m.room));
      case 'users':
        this.room(m.room).users = [...m.users];
        this.shell.refresh();
        return this.localNotice([this.t.usersIn(m.room, m.users)], this.room(m.room));
      case 'ack':
        return this.onAck(m);
      case 'error':
        return this.onError(m);
      case 'notice':
        return this.localNotice([m.message]);
      case 'history':
        return this.onHistoryHeader(m);
      case 'ping':
        this.send({ type: 'pong' });
        return;
      case 'pong':
        if (m.ref !== undefined && m.ref === this.syncRef) {
          this.syncRef = null;
          this.maybeFlushOutbox();
        }
        return;
      case 'bye':
        return this.onBye(m.reason);
    }
  }

  private onWelcome(m: ServerOf<'welcome'>): void {
    const reconnect = this.maxSeenId > 0;
    this.welcomed = true;
    this.me = m.name;
    this.wantedName = m.name;
    remembered.setName(m.name);
    remembered.setToken(m.token);
    this.socket.markHealthy();
    this.shell.setLoginBusy(false);
    this.shell.showChat();
    this.shell.setStatus('');
    const since = reconnect ? this.maxSeenId : null;
    const home = this.room(m.room);
    home.users = [...m.users];
    home.syncSince = since;
    const others = reconnect
      ? this.conversationList.filter((c) => c.kind === 'room' && c !== home).map((c) => c.name)
      : remembered.rooms().filter((r) => r.toLowerCase() !== m.room.toLowerCase());
    for (const name of others) {
      this.room(name).syncSince = since;
      const request: ClientMessage = { type: 'join_room', room: name, ref: this.ref() };
      if (since !== null) request.since = since;
      this.send(request);
    }
    // Our ping is answered after every replay above was sent: then the outbox may go out.
    this.syncRef = this.ref();
    this.send({ type: 'ping', ref: this.syncRef });
    if (this.current === null) this.select(home);
    this.saveRooms();
    this.shell.refresh();
  }

  private onBye(reason: string): void {
    if (reason === 'replaced') {
      this.socket.stop();
      remembered.setToken(null);
      this.shell.setStatus(this.t.replaced, this.t.reconnectNow);
    } else if (reason === 'quit') {
      this.socket.stop();
      remembered.setToken(null);
      this.me = '';
      this.maxSeenId = 0;
      this.shell.showLogin(this.wantedName, this.t.quitDone);
    }
    // Anything else (shutdown, timeout, refused): the socket closes and reconnects by itself.
  }

  /** A live public message or action. */
  private onLine(m: ChatLine): void {
    this.seen(m.id);
    const conv = this.room(m.room);
    const own = m.from.toLowerCase() === this.me.toLowerCase();
    const mention = !own && mentions(m.text, this.me);
    this.showLine(conv, m, { live: true, mention });
    if (mention) {
      notify(this.t.mentionTitle(m.from, m.room), m.text, () => this.select(conv));
    }
  }

  private onPrivate(m: ServerOf<'private'>): void {
    this.seen(m.id);
    const incoming = m.from.toLowerCase() !== this.me.toLowerCase();
    const other = incoming ? m.from : m.to;
    const conv = this.privateWith(other);
    const node = messageNode({ ts: m.ts, from: m.from, text: m.text, action: false, own: !incoming });
    this.insertLive(conv, m.id, node, incoming, `${m.from}: ${m.text}`);
    if (incoming) notify(this.t.privateTitle(m.from), m.text, () => this.select(conv));
  }

  private onRoomEvent(m: ServerOf<'join'> | ServerOf<'part'> | ServerOf<'topic'>): void {
    this.seen(m.id);
    const conv = this.room(m.room);
    let text: string;
    if (m.type === 'join') {
      if (!conv.users.some((u) => u.toLowerCase() === m.name.toLowerCase())) conv.users.push(m.name);
      text = this.t.joined(m.name, m.room);
    } else if (m.type === 'part') {
      if (m.name.toLowerCase() === this.me.toLowerCase()) return this.dropRoom(conv);
      conv.users = conv.users.filter((u) => u.toLowerCase() !== m.name.toLowerCase());
      text = this.t.parted(m.name, m.room, m.reason);
    } else {
      conv.topic = m.text;
      text = this.t.topicSet(m.by, m.text);
    }
    conv.view.insert(m.id, noticeNode(text, m.ts));
    conv.lastId = Math.max(conv.lastId, m.id);
    this.shell.refresh();
  }

  private onLeave(m: ServerOf<'leave'>): void {
    this.seen(m.id);
    const name = m.name.toLowerCase();
    const text = this.t.left(m.name, this.t.leaveReasons[m.reason] ?? m.reason);
    for (const conv of this.conversations.values()) {
      const present =
        conv.kind === 'room'
          ? conv.users.some((u) => u.toLowerCase() === name)
          : conv.name.toLowerCase() === name;
      if (!present) continue;
      conv.users = conv.users.filter((u) => u.toLowerCase() !== name);
      conv.view.insert(m.id, noticeNode(text, m.ts));
    }
    this.shell.refresh();
  }

  private onNick(m: ServerOf<'nick'>): void {
    this.seen(m.id);
    const old = m.old.toLowerCase();
    if (old === this.me.toLowerCase()) {
      this.me = m.new;
      this.wantedName = m.new;
      remembered.setName(m.new);
    }
    const text = this.t.renamed(m.old, m.new);
    for (const conv of [...this.conversations.values()]) {
      const i = conv.users.findIndex((u) => u.toLowerCase() === old);
      const isPrivate = conv.kind === 'private' && conv.name.toLowerCase() === old;
      if (i >= 0) conv.users[i] = m.new;
      if (isPrivate) {
        this.conversations.delete(conv.key);
        conv.name = m.new;
        conv.key = conversationKey('private', m.new);
        this.conversations.set(conv.key, conv);
      }
      if (i >= 0 || isPrivate) conv.view.insert(m.id, noticeNode(text, m.ts));
    }
    this.shell.refresh();
  }

  private onRoom(m: ServerOf<'room'>): void {
    const conv = this.room(m.room);
    conv.users = [...m.users];
    conv.topic = m.topic;
    this.saveRooms();
    if (conv.syncSince === null && conv.view.size === 0) {
      conv.view.insert(this.noticeKey(conv), noticeNode(this.t.youJoined(m.room)));
    }
    // A room entered by the user's own /join becomes the current one; rejoins do not move.
    if (m.ref !== undefined && this.pendingJoins.delete(String(m.ref))) this.select(conv);
    this.shell.refresh();
  }

  private onAck(m: ServerOf<'ack'>): void {
    this.seen(m.id);
    const i = this.outbox.findIndex((e) => e.ref === m.ref);
    if (i < 0) return;
    const entry = this.outbox[i] as OutboxEntry;
    this.outbox.splice(i, 1);
    entry.node.remove();
    const conv = this.conversations.get(entry.convKey);
    if (conv === undefined) return;
    const node = messageNode({
      ts: m.ts,
      from: this.me,
      text: entry.text,
      action: entry.kind === 'me',
      own: true,
    });
    conv.view.insert(m.id, node);
    conv.lastId = Math.max(conv.lastId, m.id);
    this.shell.followIfCurrent(conv);
    this.updateOutboxStatus();
  }

  private onError(m: ServerOf<'error'>): void {
    const ref = m.ref === undefined ? undefined : String(m.ref);
    if (!this.welcomed && (m.code === 'NAME_TAKEN' || m.code === 'NAME_INVALID')) {
      remembered.setToken(null);
      this.shell.setLoginBusy(false);
      this.shell.showLogin(this.wantedName, m.message);
      return;
    }
    const entry = ref === undefined ? undefined : this.outbox.find((e) => e.ref === ref);
    if (entry !== undefined) {
      this.outbox.splice(this.outbox.indexOf(entry), 1);
      entry.node.classList.add('failed');
      const status = entry.node.querySelector('.status');
      if (status) status.textContent = `${this.t.notSent}: ${m.message}`;
      return this.updateOutboxStatus();
    }
    const page = ref === undefined ? undefined : this.pages.get(ref);
    if (page !== undefined) {
      this.pages.delete(ref as string);
      page.conv.loadingOlder = false;
      if (page.conv.syncSince !== null) this.endCatchUp(page.conv);
    }
    if (ref !== undefined) this.pendingJoins.delete(ref);
    this.localNotice([m.message], undefined, 'error');
  }

  // --- history: replays, older pages, catching up -----------------------------------------

  private onHistoryHeader(m: ServerOf<'history'>): void {
    this.collecting = { header: m, records: [] };
    if (m.count === 0) this.finishCollecting();
  }

  private finishCollecting(): void {
    const done = this.collecting;
    this.collecting = null;
    if (done === null) return;
    const { header, records } = done;
    if (header.kind === 'search') {
      if (header.ref !== undefined && String(header.ref) !== this.searchRef) return;
      return this.shell.showSearch(header.query ?? '', records);
    }
    const ref = header.ref === undefined ? undefined : String(header.ref);
    const page = ref === undefined ? undefined : this.pages.get(ref);
    if (ref !== undefined) this.pages.delete(ref);
    const roomName = header.room ?? page?.conv.name ?? this.defaultRoom;
    const conv = page?.conv ?? this.room(roomName);
    conv.loadingOlder = false;
    const more = header.more === true;
    for (const r of records) this.showLine(conv, r, { live: false, mention: mentions(r.text, this.me) });
    const oldest = records[0]?.id;
    if (oldest !== undefined)
      conv.oldestId = conv.oldestId === null ? oldest : Math.min(conv.oldestId, oldest);
    if (conv.syncSince !== null && (header.kind === 'replay' || page?.purpose === 'catch-up')) {
      return this.continueCatchUp(conv, records, more);
    }
    if (
      header.kind === 'replay' ||
      (page?.purpose === 'older' && oldest !== undefined && oldest <= (conv.oldestId ?? oldest))
    ) {
      conv.moreOlder = more;
    }
    if (!conv.moreOlder && conv.view.size > 0) {
      conv.view.setMarker('start', (conv.oldestId ?? 1) - 0.9, markerNode(this.t.historyStart, 'start'));
    }
    this.shell.afterOlder(conv);
  }

  /**
   * After a reconnect: what arrived since `syncSince` came in the replay; if the server says
   * there is more, page back until reaching what was already shown. If the history ends
   * first, the messages between were lost to retention: a gap marker says so.
   */
  private continueCatchUp(conv: Conversation, records: ChatLine[], more: boolean): void {
    const since = conv.syncSince ?? 0;
    const first = records.find((r) => r.id > since);
    if (first !== undefined && !conv.view.hasMarker('new') && conv !== this.visibleConversation()) {
      conv.view.setMarker('new', first.id - 0.5, markerNode(this.t.newMessages, 'new'));
    }
    const reached = records.length === 0 || (records[0] as ChatLine).id <= since;
    if (!reached && more && conv.oldestId !== null) {
      const ref = this.ref();
      this.pages.set(ref, { conv, purpose: 'catch-up' });
      this.send({ type: 'history', room: conv.name, before: conv.oldestId, limit: PAGE_LIMIT, ref });
      return;
    }
    if (!reached && !more && conv.lastId > 0 && conv.lastId <= since) {
      const key = (records[0] as ChatLine).id - 0.75;
      conv.view.insert(key, markerNode(this.t.historyGap, 'gap'));
    }
    this.endCatchUp(conv);
  }

  private endCatchUp(conv: Conversation): void {
    conv.syncSince = null;
    this.shell.followIfCurrent(conv);
    this.maybeFlushOutbox();
  }

  /** Scrolled to the top: ask for the page before the oldest message shown. */
  loadOlder(conv: Conversation): void {
    if (
      conv.kind !== 'room' ||
      !conv.moreOlder ||
      conv.loadingOlder ||
      conv.oldestId === null ||
      !this.welcomed
    )
      return;
    conv.loadingOlder = true;
    const ref = this.ref();
    this.pages.set(ref, { conv, purpose: 'older' });
    this.send({ type: 'history', room: conv.name, before: conv.oldestId, limit: PAGE_LIMIT, ref });
  }

  search(query: string): void {
    const conv = this.current;
    this.searchRef = this.ref();
    const request: ClientMessage = { type: 'search', query, ref: this.searchRef };
    if (conv?.kind === 'room') request.room = conv.name;
    else request.all = true;
    this.send(request);
  }

  // --- showing lines ----------------------------------------------------------------------

  private seen(id: number): void {
    if (id > this.maxSeenId) this.maxSeenId = id;
  }

  private visibleConversation(): Conversation | null {
    return document.visibilityState === 'visible' ? this.current : null;
  }

  private showLine(conv: Conversation, m: ChatLine, how: { live: boolean; mention: boolean }): void {
    const own = m.from.toLowerCase() === this.me.toLowerCase();
    const node = messageNode({
      ts: m.ts,
      from: m.from,
      text: m.text,
      action: m.type === 'action',
      mention: how.mention,
      own,
    });
    if (own) conv.ownLines.set(ownLineKey(m.type === 'action', m.text), m.id);
    if (how.live) {
      this.insertLive(conv, m.id, node, !own, `${m.from}: ${m.text}`, how.mention);
    } else if (conv.view.insert(m.id, node)) {
      conv.lastId = Math.max(conv.lastId, m.id);
      if (conv.syncSince !== null && m.id > conv.syncSince && !own) this.countUnread(conv, how.mention);
    }
  }

  /** A live line: shown, announced to screen readers, counted unread when not in view. */
  private insertLive(
    conv: Conversation,
    id: number,
    node: HTMLElement,
    fromOthers: boolean,
    spoken: string,
    mention = false,
  ): void {
    if (!conv.view.insert(id, node)) return;
    conv.lastId = Math.max(conv.lastId, id);
    if (!fromOthers) return this.shell.followIfCurrent(conv);
    const visible = conv === this.visibleConversation();
    if (!visible) {
      if (!conv.view.hasMarker('new'))
        conv.view.setMarker('new', id - 0.5, markerNode(this.t.newMessages, 'new'));
      this.countUnread(conv, mention || conv.kind === 'private');
    }
    if (conv === this.current) this.shell.announce(spoken);
    this.shell.followIfCurrent(conv);
  }

  private countUnread(conv: Conversation, mention: boolean): void {
    if (conv === this.visibleConversation()) return;
    conv.unread++;
    if (mention) conv.mentions++;
    this.shell.refresh();
  }

  private noticeKey(conv: Conversation): number {
    this.noticeSeq++;
    return Math.max(conv.view.lastKey, this.maxSeenId) + this.noticeSeq * NOTICE_STEP;
  }

  /** Command output and errors, shown in the current conversation (or `conv`). */
  private localNotice(
    lines: string[],
    conv: Conversation | null = this.current,
    kind = 'notice local',
  ): void {
    if (conv === null) return this.shell.setStatus(lines.join(' '));
    for (const line of lines) conv.view.insert(this.noticeKey(conv), noticeNode(line, undefined, kind));
    this.shell.followIfCurrent(conv);
  }

  // --- conversations ----------------------------------------------------------------------

  private room(name: string): Conversation {
    const key = conversationKey('room', name);
    let conv = this.conversations.get(key);
    if (conv === undefined) {
      conv = newConversation('room', name, this.t);
      this.conversations.set(key, conv);
      this.shell.refresh();
    }
    return conv;
  }

  private privateWith(name: string): Conversation {
    const key = conversationKey('private', name);
    let conv = this.conversations.get(key);
    if (conv === undefined) {
      conv = newConversation('private', name, this.t);
      this.conversations.set(key, conv);
      this.shell.refresh();
    }
    return conv;
  }

  private dropRoom(conv: Conversation): void {
    this.conversations.delete(conv.key);
    if (this.current === conv) {
      const next = this.conversationList.find((c) => c.kind === 'room') ?? this.conversationList[0] ?? null;
      this.current = null;
      if (next) this.select(next);
    }
    this.saveRooms();
    this.shell.refresh();
  }

  private saveRooms(): void {
    remembered.setRooms(this.conversationList.filter((c) => c.kind === 'room').map((c) => c.name));
  }

  select(conv: Conversation): void {
    const previous = this.current;
    if (previous !== null && previous !== conv) previous.view.clearMarker('new');
    this.current = conv;
    this.markRead();
    this.shell.showConversation(conv, previous);
    this.shell.refresh();
  }

  /** The current conversation is in view: its unread count goes. */
  markRead(): void {
    const conv = this.visibleConversation();
    if (conv === null) return;
    conv.unread = 0;
    conv.mentions = 0;
    this.shell.refresh();
  }

  /** The tab was hidden: the next message starts a new "new messages" line. */
  onHidden(): void {
    this.current?.view.clearMarker('new');
  }

  openPrivate(name: string): void {
    this.select(this.privateWith(name));
  }

  totalUnread(): number {
    let n = 0;
    for (const c of this.conversations.values()) n += c.unread;
    return n;
  }

  // --- what the user types ----------------------------------------------------------------

  input(line: string): void {
    const command = parseInput(line);
    this.run(command);
  }

  joinRoom(name: string): void {
    this.run({ kind: 'join', room: roomName(name.trim()) });
  }

  private run(c: Command): void {
    const conv = this.current;
    switch (c.kind) {
      case 'say':
      case 'me':
        if (conv === null) return;
        if (conv.kind === 'private')
          return this.queue(conv, 'msg', conv.name, c.kind === 'me' ? `* ${c.text}` : c.text);
        return this.queue(conv, c.kind, conv.name, c.text);
      case 'msg': {
        const target = c.to.startsWith('#') ? this.room(c.to) : this.privateWith(c.to);
        if (target.kind === 'room') return this.queue(target, 'say', target.name, c.text);
        this.select(target);
        return this.queue(target, 'msg', target.name, c.text);
      }
      case 'join': {
        const existing = this.conversations.get(conversationKey('room', c.room));
        if (existing) return this.select(existing);
        const ref = this.ref();
        this.pendingJoins.add(ref);
        this.send({ type: 'join_room', room: c.room, ref });
        return;
      }
      case 'part': {
        const room = c.room ?? (conv?.kind === 'room' ? conv.name : undefined);
        if (room === undefined) return;
        const request: ClientMessage = { type: 'part_room', room, ref: this.ref() };
        if (c.reason) request.reason = c.reason;
        this.send(request);
        const target = this.conversations.get(conversationKey('room', room));
        if (target) this.dropRoom(target);
        return;
      }
      case 'nick':
        this.send({ type: 'nick', name: c.name, ref: this.ref() });
        return;
      case 'topic': {
        const request: ClientMessage = { type: 'topic', ref: this.ref() };
        if (conv?.kind === 'room') request.room = conv.name;
        if (c.text !== undefined) request.text = c.text;
        this.send(request);
        return;
      }
      case 'who':
        this.send(
          conv?.kind === 'room'
            ? { type: 'who', room: conv.name, ref: this.ref() }
            : { type: 'who', ref: this.ref() },
        );
        return;
      case 'rooms':
        this.send({ type: 'rooms', ref: this.ref() });
        return;
      case 'search':
        return this.search(c.query);
      case 'help':
        return this.localNotice(this.t.help);
      case 'quit':
        this.send({ type: 'quit' });
        return;
      case 'usage':
        return this.localNotice([this.t.usage(c.usage)], undefined, 'error');
      case 'unknown':
        return this.localNotice([this.t.unknownCommand(c.command)], undefined, 'error');
    }
  }

  // --- the outbox -------------------------------------------------------------------------

  /** Shows the line as pending and sends it now, or once the connection is back. */
  private queue(conv: Conversation, kind: OutboxEntry['kind'], target: string, text: string): void {
    const node = pendingNode(this.me || this.wantedName, text, kind === 'me', this.t.sending);
    conv.view.pendingEl.appendChild(node);
    const entry: OutboxEntry = {
      ref: newRef(),
      convKey: conv.key,
      kind,
      target,
      text,
      sent: false,
      baseId: 0,
      node,
    };
    this.outbox.push(entry);
    if (this.canSend()) this.deliver(entry);
    this.updateOutboxStatus();
    this.shell.followIfCurrent(conv, true);
  }

  private canSend(): boolean {
    if (!this.welcomed || this.syncRef !== null) return false;
    for (const c of this.conversations.values()) if (c.syncSince !== null) return false;
    return true;
  }

  private deliver(entry: OutboxEntry): void {
    entry.baseId = this.maxSeenId;
    entry.sent = this.send(requestOf(entry));
  }

  /**
   * Once caught up after a reconnect, sends what waited. A line sent before the loss whose ack
   * never came is sent again only if the caught-up history does not hold it already (same
   * author, room and text, with a newer id than when it was sent): no double posting.
   */
  private maybeFlushOutbox(): void {
    if (!this.canSend()) return;
    for (const entry of [...this.outbox]) {
      if (entry.sent && entry.kind !== 'msg' && this.alreadyStored(entry)) {
        this.outbox.splice(this.outbox.indexOf(entry), 1);
        entry.node.remove();
        continue;
      }
      this.deliver(entry);
    }
    this.updateOutboxStatus();
  }

  private alreadyStored(entry: OutboxEntry): boolean {
    const stored = this.conversations
      .get(entry.convKey)
      ?.ownLines.get(ownLineKey(entry.kind === 'me', entry.text));
    return stored !== undefined && stored > entry.baseId;
  }

  private updateOutboxStatus(): void {
    const waiting = this.outbox.length;
    if (waiting > 0 && !(this.socket.isOpen && this.welcomed))
      this.shell.setOutboxNote(this.t.offlineOutbox(waiting));
    else this.shell.setOutboxNote('');
  }
}
