import type { ClientAction } from '../core/events.js';
import { MAX_HISTORY_PAGE } from '../core/history.js';
import { MODERATION_COMMANDS } from './moderation-commands.js';
import type { Lang } from './texts.js';

/** What one line typed by a plain-text user asks for. */
export type PlainInput =
  | { kind: 'ignore' }
  | { kind: 'action'; action: ClientAction }
  | { kind: 'help' }
  | { kind: 'unknown'; command: string }
  | { kind: 'usage'; usage: string };

export interface Command {
  name: string;
  /** Per language when it names what to type (`NAME`, `NOME`). */
  usage: string | Record<Lang, string>;
  help: Record<Lang, string>;
  /**
   * Turns the text after the command word into an action, or null when it does not fit the
   * usage; `room` is the user's current room, where room commands act unless told otherwise.
   */
  parse(args: string, room: string | undefined): ClientAction | 'help' | null;
}

const NAME_AND_TEXT = /^(\S+)\s+(\S[\s\S]*)$/;
/** `#room` first, then the rest (either may be missing). */
const ROOM_AND_REST = /^(#\S*)?\s*([\s\S]*)$/;

function roomAndRest(args: string, current: string | undefined): { room: string | undefined; rest: string } {
  const m = ROOM_AND_REST.exec(args) as RegExpExecArray;
  return { room: m[1] ?? current, rest: (m[2] ?? '').trim() };
}

/** The slash commands of the plain-text protocol; /help is generated from this table. */
export const COMMANDS: readonly Command[] = [
  {
    name: 'who',
    usage: { en: '/who [#room]', pt: '/who [#sala]' },
    help: { en: 'list who is in this room (or in #room)', pt: 'lista quem está nesta sala (ou em #sala)' },
    parse: (args, room) => {
      const r = roomAndRest(args, room);
      return r.rest ? null : { type: 'who', room: r.room };
    },
  },
  {
    name: 'join',
    usage: { en: '/join #room', pt: '/join #sala' },
    help: {
      en: 'enter #room (created if new) and talk there',
      pt: 'entra em #sala (criada se for nova) e fala lá',
    },
    parse: (args) => (/^#\S+$/.test(args) ? { type: 'join_room', room: args } : null),
  },
  {
    name: 'part',
    usage: { en: '/part [#room] [reason]', pt: '/part [#sala] [motivo]' },
    help: { en: 'leave this room (or #room)', pt: 'sai desta sala (ou de #sala)' },
    parse: (args, room) => {
      const r = roomAndRest(args, room);
      return r.rest
        ? { type: 'part_room', room: r.room, reason: r.rest }
        : { type: 'part_room', room: r.room };
    },
  },
  {
    name: 'rooms',
    usage: '/rooms',
    help: { en: 'list the rooms, their members and topics', pt: 'lista as salas, membros e tópicos' },
    parse: (args) => (args ? null : { type: 'rooms' }),
  },
  {
    name: 'topic',
    usage: { en: '/topic [text]', pt: '/topic [texto]' },
    help: { en: "show or set this room's topic", pt: 'mostra ou muda o tópico desta sala' },
    parse: (args, room) => (args ? { type: 'topic', room, text: args } : { type: 'topic', room }),
  },
  {
    name: 'msg',
    usage: { en: '/msg NAME text', pt: '/msg NOME texto' },
    help: { en: 'send a private message to NAME only', pt: 'envia uma mensagem privada só para NOME' },
    parse: (args) => {
      const m = NAME_AND_TEXT.exec(args);
      return m ? { type: 'msg', to: m[1] as string, text: m[2] as string } : null;
    },
  },
  {
    name: 'me',
    usage: { en: '/me text', pt: '/me texto' },
    help: { en: 'describe an action: * you text', pt: 'descreve uma ação: * você texto' },
    parse: (args, room) => (args ? { type: 'me', text: args, room } : null),
  },
  {
    name: 'nick',
    usage: { en: '/nick NEW_NAME', pt: '/nick NOVO_NOME' },
    help: { en: 'change your name', pt: 'muda seu nome' },
    parse: (args) => (args && !/\s/.test(args) ? { type: 'nick', name: args } : null),
  },
  {
    name: 'history',
    usage: `/history [N]`,
    help: {
      en: `show N older messages (default 20, at most ${MAX_HISTORY_PAGE})`,
      pt: `mostra N mensagens anteriores (padrão 20, no máximo ${MAX_HISTORY_PAGE})`,
    },
    parse: (args, room) => {
      if (args === '') return { type: 'history', room };
      const n = /^\d{1,4}$/.test(args) ? Number(args) : 0;
      return n >= 1 && n <= MAX_HISTORY_PAGE ? { type: 'history', room, limit: n } : null;
    },
  },
  {
    name: 'search',
    usage: { en: '/search [--all] WORDS', pt: '/search [--all] PALAVRAS' },
    help: {
      en: "search this room's history (--all: all your rooms) for messages with all the WORDS",
      pt: 'busca no histórico desta sala (--all: de todas as suas) as mensagens com todas as PALAVRAS',
    },
    parse: (args, room) => {
      const all = /^--all(\s|$)/.test(args);
      const query = all ? args.slice(5).trim() : args;
      if (!query) return null;
      return all ? { type: 'search', query, all: true } : { type: 'search', query, room };
    },
  },
  ...MODERATION_COMMANDS,
  {
    name: 'register',
    usage: { en: '/register PASSWORD', pt: '/register SENHA' },
    help: {
      en: 'register your name: from then on it needs PASSWORD',
      pt: 'registra seu nome: daí em diante ele pede SENHA',
    },
    parse: (args) => (args ? { type: 'register', password: args } : null),
  },
  {
    name: 'password',
    usage: { en: '/password NEW_PASSWORD', pt: '/password NOVA_SENHA' },
    help: { en: "change your registered name's password", pt: 'troca a senha do seu nome registrado' },
    parse: (args) => (args ? { type: 'password', password: args } : null),
  },
  {
    name: 'unregister',
    usage: '/unregister',
    help: { en: 'give up your registered name', pt: 'desiste do registro do seu nome' },
    parse: (args) => (args ? null : { type: 'unregister' }),
  },
  {
    name: 'whois',
    usage: { en: '/whois NAME', pt: '/whois NOME' },
    help: {
      en: 'is NAME registered, since when, its key; if online, how long idle',
      pt: 'NOME é registrado, desde quando, sua chave; se online, há quanto tempo inativo',
    },
    parse: (args) => (args && !/\s/.test(args) ? { type: 'whois', name: args } : null),
  },
  {
    name: 'ping',
    usage: '/ping',
    help: { en: 'check that the server answers', pt: 'verifica se o servidor responde' },
    parse: () => ({ type: 'ping' }),
  },
  {
    name: 'help',
    usage: '/help',
    help: { en: 'show this list', pt: 'mostra esta lista' },
    parse: () => 'help',
  },
  {
    name: 'quit',
    usage: '/quit',
    help: { en: 'leave the chat (same as sair)', pt: 'sai do chat (o mesmo que sair)' },
    parse: () => ({ type: 'quit' }),
  },
];

const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));

/** A command's usage line in `lang`. */
export function usageOf(c: Pick<Command, 'usage'>, lang: Lang): string {
  return typeof c.usage === 'string' ? c.usage : c.usage[lang];
}

/** A usage line (the English one a USAGE error carries) in `lang`. */
export function usageIn(lang: Lang, usage: string): string {
  const command = COMMANDS.find((c) => usageOf(c, 'en') === usage);
  return command ? usageOf(command, lang) : usage;
}

/** True for the original project's way out: `sair` in any letter case, blanks around ignored. */
export function isSair(line: string): boolean {
  return line.trim().toLowerCase() === 'sair';
}

/**
 * Interprets one line from a plain-text user who has joined; `room` is the user's current room,
 * where lines and room commands go unless they name another.
 */
export function parsePlainLine(line: string, room?: string): PlainInput {
  const text = line.trim();
  if (text.length === 0) return { kind: 'ignore' };
  if (isSair(text)) return { kind: 'action', action: { type: 'quit' } };
  if (!text.startsWith('/')) return { kind: 'action', action: { type: 'say', text, room } };
  // `//text` sends `/text` as an ordinary message.
  if (text.startsWith('//')) return { kind: 'action', action: { type: 'say', text: text.slice(1), room } };
  const space = text.search(/\s/);
  const word = (space === -1 ? text.slice(1) : text.slice(1, space)).toLowerCase();
  const args = space === -1 ? '' : text.slice(space).trim();
  const command = BY_NAME.get(word);
  if (!command) return { kind: 'unknown', command: word };
  const parsed = command.parse(args, room);
  if (parsed === null) return { kind: 'usage', usage: usageOf(command, 'en') };
  if (parsed === 'help') return { kind: 'help' };
  return { kind: 'action', action: parsed };
}

/** The /help listing, one line per command. */
export function helpLines(lang: Lang): string[] {
  const width = Math.max(...COMMANDS.map((c) => usageOf(c, lang).length));
  return COMMANDS.map((c) => `***   ${usageOf(c, lang).padEnd(width)}  ${c.help[lang]}`);
}
