/** Attributes `h` may set: never `innerHTML` or an event handler string (CSP and STYLE.md). */
type Attrs = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/**
 * Creates an element; string children become text nodes, so user data is never parsed as
 * HTML. `class` and other attributes are set with `setAttribute`.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (/^on/i.test(key)) throw new Error(`h: event attribute ${key}; use addEventListener`);
    el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** The element with `id`, which the page's shell (index.html) must have. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`index.html lacks #${id}`);
  return el as T;
}

/** Removes every child (cheaper than setting text and never parses anything). */
export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}
