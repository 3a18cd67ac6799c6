import { MODERATION_COMMANDS, parseModeration, type ModerationRequest } from './moderation.js';

/** What a line typed in the input asks for: the terminal client's commands, as data. */
export type Command =
  | { kind: 'say'; text: string }
  | { kind: 'me'; text: string }
  | { kind: 'msg'; to: string; text: string }
  | { kind: 'join'; room: string }
  | { kind: 'part'; room?: string; reason?: string }
  | { kind: 'nick'; name: string }
  | { kind: 'topic'; text?: string }
  | { kind: 'who' }
  | { kind: 'rooms' }
  | { kind: 'search'; query: string }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'register'; password: string }
  | { kind: 'password'; password: string }
  | { kind: 'unregister' }
  | { kind: 'whois'; name: string }
  /** An operator's command, sent as it is (its room: the conversation's, filled in by the app). */
  | { kind: 'moderation'; request: ModerationRequest }
  | { kind: 'usage'; usage: string }
  | { kind: 'unknown'; command: string };

/** Command names for Tab completion, and their usage lines. */
export const COMMANDS: Readonly<Record<string, string>> = {
  '/join': '/join #room',
  '/part': '/part [#room] [reason]',
  '/msg': '/msg name text',
  '/me': '/me text',
  '/nick': '/nick name',
  '/topic': '/topic [text]',
  '/who': '/who',
  '/rooms': '/rooms',
  '/search': '/search words',
  '/register': '/register password',
  '/password': '/password new-password',
  '/unregister': '/unregister',
  '/whois': '/whois name',
  '/help': '/help',
  '/quit': '/quit',
  ...MODERATION_COMMANDS,
};

/** Rooms are written with `#`; `/join geral` means `#geral`. */
export function roomName(word: string): string {
  return word.startsWith('#') ? word : `#${word}`;
}

function splitFirst(rest: string): [string, string] {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(rest);
  return m ? [m[1] ?? '', m[2] ?? ''] : ['', ''];
}

/** Parses one typed line. `//text` sends `/text` as a message. */
export function parseInput(line: string, room?: string): Command {
  if (!line.startsWith('/') || line.startsWith('//')) {
    return { kind: 'say', text: line.startsWith('//') ? line.slice(1) : line };
  }
  const [word, rest] = splitFirst(line);
  const command = word.toLowerCase();
  const usage = (): Command => ({ kind: 'usage', usage: COMMANDS[command] ?? command });
  switch (command) {
    case '/me':
      return rest.trim() ? { kind: 'me', text: rest } : usage();
    case '/msg':
    case '/m': {
      const [to, text] = splitFirst(rest);
      return to && text.trim() ? { kind: 'msg', to, text } : usage();
    }
    case '/join':
    case '/j': {
      const [room] = splitFirst(rest);
      return room ? { kind: 'join', room: roomName(room) } : usage();
    }
    case '/part':
    case '/leave': {
      const [first, reason] = splitFirst(rest);
      if (first.startsWith('#')) return { kind: 'part', room: first, reason: reason.trim() || undefined };
      return { kind: 'part', reason: rest.trim() || undefined };
    }
    case '/nick': {
      const [name] = splitFirst(rest);
      return name ? { kind: 'nick', name } : usage();
    }
    case '/topic':
      return { kind: 'topic', text: rest.trim() ? rest.trim() : undefined };
    case '/who':
    case '/names':
      return { kind: 'who' };
    case '/rooms':
    case '/list':
      return { kind: 'rooms' };
    case '/search':
      return rest.trim() ? { kind: 'search', query: rest.trim() } : usage();
    case '/register':
      return rest.trim() ? { kind: 'register', password: rest.trim() } : usage();
    case '/password':
      return rest.trim() ? { kind: 'password', password: rest.trim() } : usage();
    case '/unregister':
      return { kind: 'unregister' };
    case '/whois': {
      const [name] = splitFirst(rest);
      return name ? { kind: 'whois', name } : usage();
    }
    case '/help':
    case '/?':
      return { kind: 'help' };
    case '/quit':
    case '/sair':
      return { kind: 'quit' };
    default: {
      const request = parseModeration(command, rest, room);
      if (request === 'usage') return usage();
      return request ? { kind: 'moderation', request } : { kind: 'unknown', command: word };
    }
  }
}
