import { nameColorClass } from '../colors.js';
import type { Conversation } from '../conversation.js';
import { clear, h } from '../dom.js';
import type { Texts } from '../i18n.js';

function entry(
  conv: Conversation,
  current: boolean,
  t: Texts,
  onSelect: (c: Conversation) => void,
): HTMLElement {
  const count = conv.unread;
  const label = count > 0 ? `${conv.name}, ${t.unread(count)}` : conv.name;
  const button = h(
    'button',
    {
      type: 'button',
      class: `conv${conv.mentions > 0 ? ' has-mention' : ''}${count > 0 ? ' has-unread' : ''}`,
      'aria-current': current ? 'page' : undefined,
      'aria-label': label,
      'data-key': conv.key,
    },
    h('span', { class: 'conv-name' }, conv.name),
    count > 0 ? h('span', { class: 'badge', 'aria-hidden': 'true' }, String(count)) : null,
  );
  button.addEventListener('click', () => onSelect(conv));
  return h('li', {}, button);
}

/** Rooms and private conversations with unread counts, and the current room's people. */
export function renderSidebar(
  lists: { rooms: HTMLElement; privates: HTMLElement; users: HTMLElement },
  conversations: Iterable<Conversation>,
  current: Conversation | null,
  me: string,
  t: Texts,
  onSelect: (c: Conversation) => void,
  onUser: (name: string) => void,
): void {
  clear(lists.rooms);
  clear(lists.privates);
  for (const conv of conversations) {
    const target = conv.kind === 'room' ? lists.rooms : lists.privates;
    target.appendChild(entry(conv, conv === current, t, onSelect));
  }
  clear(lists.users);
  const users = current?.kind === 'room' ? [...current.users] : [];
  users.sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' }));
  for (const name of users) {
    const isMe = name.toLowerCase() === me.toLowerCase();
    const button = h(
      'button',
      { type: 'button', class: 'user', disabled: isMe },
      h('span', { class: `dot ${nameColorClass(name)}`, 'aria-hidden': 'true' }),
      h('span', { class: nameColorClass(name) }, name),
      isMe ? h('span', { class: 'you' }, ` (${t.you})`) : null,
    );
    if (!isMe) button.addEventListener('click', () => onUser(name));
    lists.users.appendChild(h('li', {}, button));
  }
}
