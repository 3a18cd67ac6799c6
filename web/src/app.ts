import { parseInput, roomName, type Command } from './commands.js';
import type { ChatContext } from './context.js';
import { mentions, ownLineKey, type Conversation } from './conversation.js';
import { Conversations } from './conversations.js';
import { Files } from './files.js';
import { HistorySync } from './history-sync.js';
import { bansText, moderationText, type ModerationNotice } from './moderation.js';
import type { Texts } from './i18n.js';
import { notify } from './notify.js';
import { Outbox } from './outbox.js';
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
import { markerNode, messageNode, noticeNode } from './view/message-node.js';

/**
 * The chat client: the session over the socket (hello, welcome, rejoining rooms), live events,
 * and what the user types. History and the outbox are parts of their own.
 */
export class App implements ChatContext {
  readonly convs: Conversations;
  me = '';
  maxSeenId = 0;
  private readonly socket: ChatSocket;
  private readonly history: HistorySync;
  private readonly outbox: Outbox;
  private readonly files: Files;
  private wantedName = '';
  private welcomed = false;
  /** The password typed for this login, sent with `hello` once and then forgotten. */
  private wantedPassword: string | undefined;
  private passwordSent = false;
  /** Why the server refused the connection being closed (shown with the retry countdown). */
  private refusal: string | null = null;
  private defaultRoom = '#geral';
  /** Our `ping` after the rejoins: its `pong` comes after every replay they caused. */
  private syncRef: string | null = null;
  private nextRef = 1;
  private readonly pendingJoins = new Set<string>();
  private readonly pendingParts = new Map<string, string>();

  constructor(
    readonly t: Texts,
    readonly shell: Shell,
    wsUrl: string,
  ) {
    this.convs = new Conversations(t, shell);
    this.history = new HistorySync(this, {
      showStored: (conv, r) => this.showLine(conv, r, false),
      onCaughtUp: () => this.outbox.flush(),
      onSearch: (query, records) => shell.showSearch(query, records),
    });
    this.files = new Files(this, (conv, id, node, spoken) => {
      this.seen(id);
      this.insertLive(conv, id, node, spoken, conv.kind === 'private' && spoken !== null);
    });
    this.outbox = new Outbox(this, () => this.online && this.syncRef === null && !this.history.catchingUp);
    this.socket = new ChatSocket(wsUrl, {
      onOpen: () => this.onOpen(),
      onMessage: (m) => this.onMessage(m),
      onDown: (retryMs) => this.onDown(retryMs),
    });
  }

  get online(): boolean {
    return this.welcomed && this.socket.isOpen;
  }

  send(message: ClientMessage): boolean {
    return this.socket.send(message);
  }

  ref(): string {
    return `r${this.nextRef++}`;
  }

  /** Rejoins at once after a reload (the tab kept its token), else asks for a name. */
  start(): void {
    this.files.attach();
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

  login(name: string, password?: string): void {
    this.wantedName = name.trim();
    this.wantedPassword = password;
    if (this.socket.isOpen) return this.sendHello();
    this.shell.setLoginBusy(true);
    this.socket.start();
  }

  reconnectNow(): void {
    this.socket.start();
    this.socket.retryNow();
  }

  // --- the session ------------------------------------------------------------------------

  private onOpen(): void {
    this.shell.setStatus(this.t.connecting);
    if (this.wantedName !== '') this.sendHello();
  }

  private sendHello(): void {
    this.welcomed = false;
    this.history.reset();
    const hello: ClientMessage = {
      type: 'hello',
      version: PROTOCOL_VERSION,
      name: this.wantedName,
      lang: this.t.lang,
    };
    hello.client = 'papo-web';
    const token = remembered.token();
    if (token !== null) hello.token = token;
    if (this.maxSeenId > 0) hello.since = this.maxSeenId;
    if (this.wantedPassword !== undefined) hello.password = this.wantedPassword;
    this.passwordSent = this.wantedPassword !== undefined;
    this.wantedPassword = undefined;
    this.send(hello);
  }

  private onDown(retryMs: number | null): void {
    this.welcomed = false;
    this.files.disconnected();
    this.syncRef = null;
    this.history.reset();
    this.outbox.updateNote();
    const refusal = this.refusal;
    this.refusal = null;
    if (retryMs === null) return;
    const retry = this.t.reconnectingIn(Math.ceil(retryMs / 1000));
    const status = refusal === null ? retry : `${refusal} ${retry}`;
    if (this.me === '' && remembered.token() === null) {
      this.shell.setLoginBusy(false);
      return this.shell.showLogin(this.wantedName, status);
    }
    this.shell.setStatus(status, this.t.reconnectNow);
  }

  private onWelcome(m: ServerOf<'welcome'>): void {
    const since = this.maxSeenId > 0 ? this.maxSeenId : null;
    this.welcomed = true;
    this.me = this.wantedName = m.name;
    remembered.setName(m.name);
    remembered.setToken(m.token);
    this.socket.markHealthy();
    this.shell.setLoginBusy(false);
    this.shell.showChat();
    this.shell.setStatus('');
    const home = this.convs.get('room', m.room);
    home.users = [...m.users];
    home.userCount = m.userCount ?? m.users.length;
    const others =
      since !== null
        ? this.convs
            .rooms()
            .filter((c) => c !== home)
            .map((c) => c.name)
        : remembered.rooms().filter((r) => r.toLowerCase() !== m.room.toLowerCase());
    for (const name of [m.room, ...others]) {
      const conv = this.convs.get('room', name);
      conv.syncSince = since;
      conv.lastShownBefore = conv.lastMessageId;
      if (conv === home) continue;
      const request: ClientMessage = { type: 'join_room', room: name, ref: this.ref() };
      if (since !== null) request.since = since;
      this.send(request);
    }
    this.syncRef = this.ref();
    this.send({ type: 'ping', ref: this.syncRef });
    if (this.convs.current === null) this.convs.select(home);
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
    } else if (reason === 'name_lost') {
      // A cluster node was cut off and the name taken meanwhile: the token takes nothing back.
      this.socket.stop();
      remembered.setToken(null);
      this.me = '';
      this.shell.showLogin(this.wantedName, this.t.nameLost);
    }
    // Anything else (shutdown, timeout): the socket closes and reconnects by itself.
  }

  // --- what the server says ---------------------------------------------------------------

  private onMessage(m: ServerMessage): void {
    if (this.history.take(m)) return;
    // Files (issue #14): `file`, `upload_slot` and the errors answering an offer.
    if (this.files.take(m as unknown as Parameters<Files['take']>[0])) return;
    switch (m.type) {
      case 'hello':
        this.defaultRoom = m.defaultRoom ?? this.defaultRoom;
        this.socket.expectHeartbeat(m.heartbeatSeconds);
        return;
      case 'welcome':
        return this.onWelcome(m);
      case 'challenge':
        // A registered name: the login form asks for its password (one sent already is being checked).
        if (this.passwordSent) return;
        this.shell.setLoginBusy(false);
        return this.shell.showLogin(
          m.name,
          m.register ? this.t.choosePassword(m.name) : this.t.passwordFor(m.name),
          m.password || m.register,
        );
      case 'account':
      case 'whois':
        return this.notice(m.type === 'account' ? [this.t.accountDone(m.of, m.name)] : this.t.whois(m));
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
      case 'presence':
        return this.onPresence(m);
      case 'rooms':
        return this.notice([
          this.t.roomsList,
          ...m.rooms.map((r) => this.t.roomLine(r.room, r.users, r.topic)),
        ]);
      case 'topic_info':
        return this.notice([this.t.topicIs(m.room, m.text)], this.convs.get('room', m.room));
      case 'users':
        this.convs.get('room', m.room).users = [...m.users];
        this.convs.get('room', m.room).userCount = m.users.length;
        this.shell.refresh();
        return this.notice([this.t.usersIn(m.room, m.users)], this.convs.get('room', m.room));
      case 'ack':
        return this.onAck(m);
      case 'error':
        return this.onError(m);
      case 'notice':
        return this.notice([m.message]);
      case 'history':
        return this.history.onHeader(m);
      case 'ping':
        this.send({ type: 'pong' });
        return;
      case 'pong':
        if (m.ref === undefined || m.ref !== this.syncRef) return;
        this.syncRef = null;
        return this.history.onRejoinsAnswered();
      case 'kick':
      case 'ban':
      case 'unban':
      case 'mute':
      case 'unmute':
      case 'op':
      case 'deop':
        return this.onModeration(m);
      case 'bans':
        return this.notice(bansText(m, this.t.lang));
      case 'bye':
        return this.onBye(m.reason);
    }
  }

  private seen(id: number): void {
    if (id > this.maxSeenId) this.maxSeenId = id;
  }

  private onLine(m: ChatLine): void {
    this.seen(m.id);
    const conv = this.convs.get('room', m.room);
    this.showLine(conv, m, true);
  }

  /** A message or action, live or stored; each id is shown once per conversation. */
  private showLine(conv: Conversation, m: ChatLine, live: boolean): void {
    const own = m.from.toLowerCase() === this.me.toLowerCase();
    const mention = !own && mentions(m.text, this.me);
    const node = messageNode({
      ts: m.ts,
      from: m.from,
      text: m.text,
      action: m.type === 'action',
      mention,
      own,
    });
    if (own) conv.ownLines.set(ownLineKey(m.type === 'action', m.text), m.id);
    conv.lastMessageId = Math.max(conv.lastMessageId, m.id);
    if (live) {
      this.insertLive(conv, m.id, node, own ? null : `${m.from}: ${m.text}`, mention);
      if (mention) notify(this.t.mentionTitle(m.from, m.room), m.text, () => this.convs.select(conv));
    } else if (conv.view.insert(m.id, node)) {
      conv.lastId = Math.max(conv.lastId, m.id);
      if (conv.syncSince !== null && m.id > conv.syncSince && !own) this.convs.countUnread(conv, mention);
    }
  }

  /** A live line: shown, read out, counted unread (with a "new" line) when not in view. */
  private insertLive(
    conv: Conversation,
    id: number,
    node: HTMLElement,
    spoken: string | null,
    mention: boolean,
  ): void {
    if (!conv.view.insert(id, node)) return;
    conv.lastId = Math.max(conv.lastId, id);
    if (spoken !== null) {
      if (conv !== this.convs.visible()) {
        if (!conv.view.hasMarker('new'))
          conv.view.setMarker('new', id - 0.5, markerNode(this.t.newMessages, 'new'));
        this.convs.countUnread(conv, mention);
      }
      if (conv === this.convs.current) this.shell.announce(spoken);
    }
    this.shell.followIfCurrent(conv);
  }

  private onPrivate(m: ServerOf<'private'>): void {
    this.seen(m.id);
    const incoming = m.from.toLowerCase() !== this.me.toLowerCase();
    const conv = this.convs.get('private', incoming ? m.from : m.to);
    const node = messageNode({ ts: m.ts, from: m.from, text: m.text, action: false, own: !incoming });
    this.insertLive(conv, m.id, node, incoming ? `${m.from}: ${m.text}` : null, true);
    if (incoming) notify(this.t.privateTitle(m.from), m.text, () => this.convs.select(conv));
  }

  /** A kick, ban, mute or op: told in its room (or the current one); a kick takes the room away. */
  private onModeration(m: ModerationNotice): void {
    this.seen(m.id);
    const room = 'room' in m && m.room !== undefined ? this.convs.find('room', m.room) : null;
    if (m.type === 'kick' && room && m.name.toLowerCase() === this.me.toLowerCase()) {
      this.convs.drop(room);
      return this.notice([moderationText(m, this.t.lang)]);
    }
    this.notice([moderationText(m, this.t.lang)], room ?? this.convs.current);
  }

  private onRoomEvent(m: ServerOf<'join'> | ServerOf<'part'> | ServerOf<'topic'>): void {
    this.seen(m.id);
    const conv = this.convs.get('room', m.room);
    const same = (u: string) => u.toLowerCase() === (m.type === 'topic' ? m.by : m.name).toLowerCase();
    let text: string;
    if (m.type === 'join') {
      if (!conv.users.some(same)) {
        conv.users.push(m.name);
        conv.userCount++;
      }
      text = this.t.joined(m.name, m.room);
    } else if (m.type === 'part') {
      if (same(this.me)) return this.convs.drop(conv);
      conv.users = conv.users.filter((u) => !same(u));
      conv.userCount = Math.max(conv.users.length, conv.userCount - 1);
      text = this.t.parted(m.name, m.room, m.reason);
    } else {
      conv.topic = m.text;
      text = this.t.topicSet(m.by, m.text);
    }
    conv.view.insert(m.id, noticeNode(text, m.ts));
    conv.lastId = Math.max(conv.lastId, m.id);
    this.shell.refresh();
    this.shell.followIfCurrent(conv);
  }

  private onLeave(m: ServerOf<'leave'>): void {
    this.seen(m.id);
    const name = m.name.toLowerCase();
    const text = this.t.left(m.name, this.t.leaveReasons[m.reason] ?? m.reason);
    for (const conv of this.convs.list()) {
      const here =
        conv.kind === 'room'
          ? conv.users.some((u) => u.toLowerCase() === name)
          : conv.name.toLowerCase() === name;
      if (!here) continue;
      conv.users = conv.users.filter((u) => u.toLowerCase() !== name);
      conv.userCount = Math.max(conv.users.length, conv.userCount - 1);
      conv.view.insert(m.id, noticeNode(text, m.ts));
    }
    this.shell.refresh();
  }

  private onNick(m: ServerOf<'nick'>): void {
    this.seen(m.id);
    const old = m.old.toLowerCase();
    if (old === this.me.toLowerCase()) {
      this.me = this.wantedName = m.new;
      remembered.setName(m.new);
    }
    const text = this.t.renamed(m.old, m.new);
    for (const conv of this.convs.list()) {
      const i = conv.users.findIndex((u) => u.toLowerCase() === old);
      if (i >= 0) conv.users[i] = m.new;
      const isPeer = conv.kind === 'private' && conv.name.toLowerCase() === old;
      if (isPeer) this.convs.renamePrivate(conv, m.new);
      if (i >= 0 || isPeer) conv.view.insert(m.id, noticeNode(text, m.ts));
    }
    this.shell.refresh();
  }

  private onRoom(m: ServerOf<'room'>): void {
    const conv = this.convs.get('room', m.room);
    conv.users = [...m.users];
    conv.userCount = m.userCount ?? m.users.length;
    conv.topic = m.topic;
    if (conv.syncSince === null && conv.view.size === 0) this.notice([this.t.youJoined(m.room)], conv);
    // A room entered by the user's own /join becomes the current one; rejoins do not move.
    if (m.ref !== undefined && this.pendingJoins.delete(String(m.ref))) this.convs.select(conv);
    this.shell.refresh();
  }

  /** A busy room's joins and leaves of the last second, told at once (PROTOCOL.md, "Busy rooms"). */
  private onPresence(m: ServerOf<'presence'>): void {
    const conv = this.convs.get('room', m.room);
    const left = new Set(m.left.map((n) => n.toLowerCase()));
    conv.users = conv.users.filter((u) => !left.has(u.toLowerCase()));
    for (const name of m.joined) {
      if (!conv.users.some((u) => u.toLowerCase() === name.toLowerCase())) conv.users.push(name);
    }
    conv.userCount = Math.max(conv.users.length, conv.userCount + m.joinedCount - m.leftCount);
    const lines: string[] = [];
    if (m.joinedCount > 0) lines.push(this.t.presenceJoined(m.joined, m.joinedCount));
    if (m.leftCount > 0) lines.push(this.t.presenceLeft(m.left, m.leftCount));
    this.notice(lines, conv, 'notice');
    this.shell.refresh();
  }

  private onAck(m: ServerOf<'ack'>): void {
    this.seen(m.id);
    if (this.outbox.onAck(m)) return;
    const ref = m.ref === undefined ? '' : String(m.ref);
    const parted = this.pendingParts.get(ref);
    if (parted === undefined) return;
    this.pendingParts.delete(ref);
    const conv = this.convs.find('room', parted);
    if (conv) this.convs.drop(conv);
  }

  private onError(m: ServerOf<'error'>): void {
    // A refusal at connect time (server full, too many from this address): the close follows,
    // and the reason is shown with the retry countdown.
    if (!this.welcomed && (m.code === 'SERVER_FULL' || m.code === 'TOO_MANY_FROM_ADDRESS')) {
      this.refusal = m.message;
      return;
    }
    if (!this.welcomed && m.ref === undefined && m.code !== 'BAD_REQUEST') {
      // Whatever kept the name (taken, invalid, registered, a wrong password…): the form again.
      remembered.setToken(null);
      this.shell.setLoginBusy(false);
      this.passwordSent = false;
      const again = m.code === 'LOGIN_FAILED' || m.code === 'PASSWORD_INVALID';
      return this.shell.showLogin(this.wantedName, m.message, again);
    }
    const ref = m.ref === undefined ? undefined : String(m.ref);
    if (ref !== undefined) {
      if (this.outbox.onError(ref, m.message)) return;
      this.history.onError(ref);
      this.pendingJoins.delete(ref);
      this.pendingParts.delete(ref);
    }
    this.notice([m.message], undefined, 'notice error');
  }

  private notice(lines: string[], conv: Conversation | null = this.convs.current, kind?: string): void {
    this.convs.notice(lines, conv, this.maxSeenId, kind);
  }

  // --- what the shell asks ----------------------------------------------------------------

  loadOlder(conv: Conversation): void {
    this.history.loadOlder(conv);
  }

  search(query: string): void {
    this.history.search(query, this.convs.current);
  }

  input(line: string): void {
    const conv = this.convs.current;
    this.run(parseInput(line, conv?.kind === 'room' ? conv.name : undefined));
  }

  joinRoom(name: string): void {
    this.run({ kind: 'join', room: roomName(name.trim()) });
  }

  private run(c: Command): void {
    const conv = this.convs.current;
    const room = conv?.kind === 'room' ? conv.name : undefined;
    switch (c.kind) {
      case 'say':
      case 'me':
        if (conv === null) return;
        if (conv.kind === 'private')
          return this.outbox.add(conv, 'msg', conv.name, c.kind === 'me' ? `* ${c.text}` : c.text);
        return this.outbox.add(conv, c.kind, conv.name, c.text);
      case 'msg': {
        if (c.to.startsWith('#')) return this.outbox.add(this.convs.get('room', c.to), 'say', c.to, c.text);
        const target = this.convs.get('private', c.to);
        this.convs.select(target);
        return this.outbox.add(target, 'msg', target.name, c.text);
      }
      case 'join': {
        const existing = this.convs.find('room', c.room);
        if (existing) return this.convs.select(existing);
        const ref = this.ref();
        this.pendingJoins.add(ref);
        this.send({ type: 'join_room', room: c.room, ref });
        return;
      }
      case 'part': {
        const target = c.room ?? room;
        if (target === undefined) return;
        const ref = this.ref();
        this.pendingParts.set(ref, target);
        this.send({ type: 'part_room', room: target, reason: c.reason, ref });
        return;
      }
      case 'nick':
        this.send({ type: 'nick', name: c.name, ref: this.ref() });
        return;
      case 'topic':
        this.send({ type: 'topic', room, text: c.text, ref: this.ref() });
        return;
      case 'who':
        this.send({ type: 'who', room, ref: this.ref() });
        return;
      case 'rooms':
        this.send({ type: 'rooms', ref: this.ref() });
        return;
      case 'search':
        return this.search(c.query);
      case 'help':
        return this.notice(this.t.help);
      case 'quit':
        this.send({ type: 'quit' });
        return;
      case 'register':
      case 'password':
        // Sent, never shown: the line is not echoed into the conversation.
        this.send({ type: c.kind, password: c.password, ref: this.ref() });
        return;
      case 'unregister':
        this.send({ type: 'unregister', ref: this.ref() });
        return;
      case 'whois':
        this.send({ type: 'whois', name: c.name, ref: this.ref() });
        return;
      case 'moderation':
        this.send({ ...c.request, ref: this.ref() });
        return;
      case 'usage':
        return this.notice([this.t.usage(c.usage)], undefined, 'notice error');
      case 'unknown':
        return this.notice([this.t.unknownCommand(c.command)], undefined, 'notice error');
    }
  }
}
