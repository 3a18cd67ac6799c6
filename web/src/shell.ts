import type { App } from './app.js';
import type { Conversation } from './conversation.js';
import { byId, clear } from './dom.js';
import type { Texts } from './i18n.js';
import { askNotifications, notificationsAllowed, notificationsSupported } from './notify.js';
import type { ChatLine } from './protocol.js';
import { Composer } from './view/composer.js';
import { messageNode, noticeNode } from './view/message-node.js';
import { renderSidebar } from './view/sidebar.js';

/** Pixels from the top at which an older page is asked for. */
const LOAD_OLDER_PX = 120;
/** Pixels from the bottom still counted as "following the newest". */
const FOLLOW_PX = 48;

/** The page around the conversation: login, sidebar, header, status, input, search. */
export class Shell {
  private app: App | null = null;
  private readonly scroller = byId('scroller');
  private readonly composer: Composer;
  private following = true;
  private refreshQueued = false;
  private statusAction: (() => void) | null = null;

  constructor(private readonly t: Texts) {
    for (const el of document.querySelectorAll<HTMLElement>('[data-text]')) {
      const value = t[el.dataset.text as keyof Texts];
      if (typeof value === 'string') el.textContent = value;
    }
    for (const el of document.querySelectorAll<HTMLElement>('[data-label]')) {
      const value = t[el.dataset.label as keyof Texts];
      if (typeof value === 'string') el.setAttribute('aria-label', value);
    }
    for (const el of document.querySelectorAll<HTMLInputElement>('[data-placeholder]')) {
      const value = t[el.dataset.placeholder as keyof Texts];
      if (typeof value === 'string') el.placeholder = value;
    }
    document.documentElement.lang = t.lang === 'pt' ? 'pt-BR' : 'en';
    this.composer = new Composer(
      byId<HTMLFormElement>('composer'),
      byId<HTMLInputElement>('input'),
      (line) => this.app?.input(line),
      () => this.app?.convs.completionCandidates(this.app.me) ?? { names: [], rooms: [] },
    );
  }

  attach(app: App): void {
    this.app = app;
    byId<HTMLFormElement>('login-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const name = byId<HTMLInputElement>('name-input').value.trim();
      const password = byId<HTMLInputElement>('password-input');
      // The password goes with this login only: never kept, cleared from the form at once.
      const secret = password.hidden || password.value === '' ? undefined : password.value;
      password.value = '';
      if (name !== '') app.login(name, secret);
    });
    byId<HTMLFormElement>('join-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const input = byId<HTMLInputElement>('join-input');
      if (input.value.trim() === '') return;
      app.joinRoom(input.value);
      input.value = '';
      this.closeDrawer();
    });
    byId<HTMLFormElement>('search-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const query = byId<HTMLInputElement>('search-input').value.trim();
      if (query !== '') app.search(query);
    });
    byId('search-close').addEventListener('click', () => this.closeSearch());
    byId('menu-button').addEventListener('click', () => this.toggleDrawer());
    byId('drawer-backdrop').addEventListener('click', () => this.closeDrawer());
    byId('status-action').addEventListener('click', () => this.statusAction?.());
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        this.closeDrawer();
        this.closeSearch();
      } else if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
        // Alt+Up/Down: the previous or next conversation, without leaving the input.
        e.preventDefault();
        this.step(e.key === 'ArrowUp' ? -1 : 1);
      }
    });
    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') app.convs.markRead();
      // The next message after coming back starts a new "new messages" line.
      else app.convs.current?.view.clearMarker('new');
      this.updateTitle();
    });
    const notifyButton = byId<HTMLButtonElement>('notify-button');
    notifyButton.hidden = !notificationsSupported() || notificationsAllowed();
    notifyButton.addEventListener('click', () => {
      void askNotifications().then((ok) => {
        notifyButton.hidden = ok;
        if (ok) this.announce(this.t.notifyOn);
      });
    });
  }

  private step(delta: number): void {
    const app = this.app;
    if (app === null) return;
    const list = app.convs.list();
    const i = app.convs.current === null ? -1 : list.indexOf(app.convs.current);
    const next = list[(i + delta + list.length) % list.length];
    if (next !== undefined) app.convs.select(next);
  }

  /** The login form; `askPassword`: the name is registered, its password field is shown. */
  showLogin(name: string, error: string, askPassword = false): void {
    byId('app').hidden = true;
    byId('login').hidden = false;
    const password = byId<HTMLInputElement>('password-input');
    password.hidden = byId('password-label').hidden = !askPassword;
    const input = byId<HTMLInputElement>('name-input');
    if (name !== '') input.value = name;
    const errorEl = byId('login-error');
    errorEl.textContent = error;
    input.setAttribute('aria-invalid', error === '' ? 'false' : 'true');
    (askPassword ? password : input).focus();
  }

  setLoginBusy(busy: boolean): void {
    byId<HTMLButtonElement>('login-button').disabled = busy;
    if (busy) byId('login-error').textContent = this.t.connecting;
  }

  showChat(): void {
    if (!byId('app').hidden) return;
    byId('login').hidden = true;
    byId('app').hidden = false;
    this.composer.input.focus();
  }

  setStatus(text: string, action?: string): void {
    byId('status-text').textContent = text;
    const button = byId<HTMLButtonElement>('status-action');
    button.hidden = action === undefined;
    if (action !== undefined) {
      button.textContent = action;
      this.statusAction = () => this.app?.reconnectNow();
    }
    byId('status').hidden = text === '';
  }

  setOutboxNote(text: string): void {
    byId('outbox-note').textContent = text;
  }

  /** Says `text` to screen readers once (the message list itself is not a live region). */
  announce(text: string): void {
    const el = byId('announcer');
    el.textContent = text.slice(0, 300);
  }

  showConversation(conv: Conversation, previous: Conversation | null): void {
    if (previous !== null && previous !== conv) {
      previous.view.savedScrollTop = this.following ? null : this.scroller.scrollTop;
    }
    clear(this.scroller);
    this.scroller.appendChild(conv.view.el);
    const saved = conv.view.savedScrollTop;
    this.following = saved === null;
    this.scroller.scrollTop = saved ?? this.scroller.scrollHeight;
    byId('conv-title').textContent = conv.name;
    byId('conv-topic').textContent = conv.topic;
    this.composer.setLabel(this.t.messageLabel(conv.name));
    this.closeDrawer();
    this.composer.input.focus();
  }

  /** After new lines in `conv`: stay at the newest if the reader was there (or sent them). */
  followIfCurrent(conv: Conversation, force = false): void {
    if (conv !== this.app?.convs.current) return;
    if (force) this.following = true;
    if (this.following) this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  /** An older page was put above: keep the lines the reader was looking at in place. */
  afterOlder(conv: Conversation): void {
    if (conv !== this.app?.convs.current) return;
    if (this.following) this.scroller.scrollTop = this.scroller.scrollHeight;
    else if (this.anchor !== null) {
      this.scroller.scrollTop += this.anchor.node.offsetTop - this.anchor.top;
      this.anchor = null;
    }
  }

  private anchor: { node: HTMLElement; top: number } | null = null;

  private onScroll(): void {
    const s = this.scroller;
    this.following = s.scrollHeight - s.scrollTop - s.clientHeight < FOLLOW_PX;
    const conv = this.app?.convs.current;
    if (conv && s.scrollTop < LOAD_OLDER_PX && conv.moreOlder && !conv.loadingOlder) {
      const first = conv.view.listEl.firstElementChild;
      if (first instanceof HTMLElement) this.anchor = { node: first, top: first.offsetTop };
      this.app?.loadOlder(conv);
    }
  }

  showSearch(query: string, records: ChatLine[]): void {
    const panel = byId('search-results');
    const list = byId('search-list');
    clear(list);
    byId('search-summary').textContent = this.t.searchResults(query, records.length);
    for (const r of records) {
      list.appendChild(
        messageNode({ ts: r.ts, from: r.from, text: r.text, action: r.type === 'action', room: r.room }),
      );
    }
    if (records.length === 0) list.appendChild(noticeNode('—'));
    panel.hidden = false;
    byId('search-close').focus();
  }

  private closeSearch(): void {
    const panel = byId('search-results');
    if (panel.hidden) return;
    panel.hidden = true;
    this.composer.input.focus();
  }

  private toggleDrawer(): void {
    const open = !document.body.classList.contains('drawer-open');
    document.body.classList.toggle('drawer-open', open);
    byId('menu-button').setAttribute('aria-expanded', String(open));
    byId('drawer-backdrop').hidden = !open;
    if (open) byId<HTMLButtonElement>('sidebar').querySelector<HTMLElement>('button, input')?.focus();
  }

  private closeDrawer(): void {
    if (!document.body.classList.contains('drawer-open')) return;
    document.body.classList.remove('drawer-open');
    byId('menu-button').setAttribute('aria-expanded', 'false');
    byId('drawer-backdrop').hidden = true;
  }

  /**
   * Re-renders the sidebar and the title once for a burst of events. A timer, not an animation
   * frame: frames stop in a hidden tab, and the title's unread count matters most there.
   */
  refresh(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    setTimeout(() => {
      this.refreshQueued = false;
      this.render();
    }, 0);
  }

  private render(): void {
    const app = this.app;
    if (app === null) return;
    const current = app.convs.current;
    renderSidebar(
      { rooms: byId('room-list'), privates: byId('private-list'), users: byId('user-list') },
      app.convs.list(),
      current,
      app.me,
      this.t,
      (c) => app.convs.select(c),
      (name) => app.convs.select(app.convs.get('private', name)),
    );
    byId('privates-section').hidden = !app.convs.list().some((c) => c.kind === 'private');
    byId('users-section').hidden = current?.kind !== 'room';
    if (current?.kind === 'room') {
      byId('users-heading').textContent = this.t.usersCount(
        Math.max(current.userCount, current.users.length),
      );
    }
    if (current) {
      byId('conv-title').textContent = current.name;
      byId('conv-topic').textContent = current.topic;
    }
    const total = app.convs.totalUnread();
    byId('menu-badge').textContent = total > 0 ? String(total) : '';
    this.updateTitle();
  }

  private updateTitle(): void {
    const total = this.app?.convs.totalUnread() ?? 0;
    const room = this.app?.convs.current?.name;
    const base = room ? `${room} · ${this.t.appName}` : this.t.appName;
    document.title = total > 0 ? `(${total}) ${base}` : base;
  }
}
