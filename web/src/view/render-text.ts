import { h } from '../dom.js';
import { parseFormatting, type Part } from '../format.js';

function partNode(part: Part): Node {
  switch (part.kind) {
    case 'text':
      return document.createTextNode(part.text);
    case 'code':
      return h('code', {}, part.text);
    case 'link':
      return h('a', { href: part.href, target: '_blank', rel: 'noopener noreferrer' }, part.text);
    case 'emoji':
      return h('span', { class: 'emoji', title: `:${part.shortcode}:` }, part.text);
    case 'bold':
      return h('strong', {}, ...part.parts.map(partNode));
    case 'italic':
      return h('em', {}, ...part.parts.map(partNode));
    case 'strike':
      return h('s', {}, ...part.parts.map(partNode));
  }
}

/** A message's text as DOM nodes: formatting applied, every character of user data as text. */
export function renderText(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const part of parseFormatting(text)) fragment.appendChild(partNode(part));
  return fragment;
}
