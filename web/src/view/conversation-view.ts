import { h } from '../dom.js';

/**
 * The list of one conversation: items kept in event-id order whatever order they arrive in
 * (live, replay, backfill, older pages), each id shown at most once. Markers and local notices
 * sit between ids on fractional keys. Lines still being sent wait below, in `pendingEl`.
 */
export class ConversationView {
  readonly el: HTMLElement;
  readonly listEl: HTMLOListElement;
  readonly pendingEl: HTMLOListElement;
  private readonly keys: number[] = [];
  private readonly nodes = new Map<number, HTMLElement>();
  private readonly markers = new Map<string, number>();
  /** Scroll position while another conversation is shown; null: follow the newest. */
  savedScrollTop: number | null = null;

  constructor(label: string) {
    this.listEl = h('ol', { class: 'messages', 'aria-label': label });
    this.pendingEl = h('ol', { class: 'messages pending-list', 'aria-label': label });
    this.el = h('div', { class: 'conversation' }, this.listEl, this.pendingEl);
  }

  has(key: number): boolean {
    return this.nodes.has(key);
  }

  get lastKey(): number {
    return this.keys.at(-1) ?? 0;
  }

  get size(): number {
    return this.keys.length;
  }

  /** Inserts `node` at `key`'s place; false (nothing done) if that key is shown already. */
  insert(key: number, node: HTMLElement): boolean {
    if (this.nodes.has(key)) return false;
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.keys[mid] as number) < key) lo = mid + 1;
      else hi = mid;
    }
    const next = this.keys[lo];
    this.keys.splice(lo, 0, key);
    this.nodes.set(key, node);
    this.listEl.insertBefore(node, next === undefined ? null : (this.nodes.get(next) ?? null));
    return true;
  }

  remove(key: number): void {
    const node = this.nodes.get(key);
    if (node === undefined) return;
    node.remove();
    this.nodes.delete(key);
    const i = this.keys.indexOf(key);
    if (i >= 0) this.keys.splice(i, 1);
  }

  /** Puts the named marker (one of each name per view) at `key`, moving it if it was elsewhere. */
  setMarker(name: string, key: number, node: HTMLElement): void {
    this.clearMarker(name);
    if (this.insert(key, node)) this.markers.set(name, key);
  }

  clearMarker(name: string): void {
    const key = this.markers.get(name);
    if (key === undefined) return;
    this.remove(key);
    this.markers.delete(name);
  }

  hasMarker(name: string): boolean {
    return this.markers.has(name);
  }
}
