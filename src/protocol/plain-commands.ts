import type { ClientAction } from '../core/events.js';
import { MAX_HISTORY_PAGE } from '../core/history.js';
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
  /** Turns the text after the command word into an action, or null when it does not fit the usage. */
  parse(args: string): ClientAction | 'help' | null;
}

const NAME_AND_TEXT = /^(\S+)\s+(\S[\s\S]*)$/;

/** The slash commands of the plain-text protocol; /help is generated from this table. */
export const COMMANDS: readonly Command[] = [
  {
    name: 'who',
    usage: '/who',
    help: { en: 'list who is online', pt: 'lista quem está online' },
    parse: () => ({ type: 'who' }),
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
    parse: (args) => (args ? { type: 'me', text: args } : null),
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
    parse: (args) => {
      if (args === '') return { type: 'history' };
      const n = /^\d{1,4}$/.test(args) ? Number(args) : 0;
      return n >= 1 && n <= MAX_HISTORY_PAGE ? { type: 'history', limit: n } : null;
    },
  },
  {
    name: 'search',
    usage: { en: '/search WORDS', pt: '/search PALAVRAS' },
    help: {
      en: 'search the history: messages with all the WORDS, best first',
      pt: 'busca no histórico as mensagens com todas as PALAVRAS, as melhores primeiro',
    },
    parse: (args) => (args ? { type: 'search', query: args } : null),
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

/** Interprets one line from a plain-text user who has joined. */
export function parsePlainLine(line: string): PlainInput {
  const text = line.trim();
  if (text.length === 0) return { kind: 'ignore' };
  if (isSair(text)) return { kind: 'action', action: { type: 'quit' } };
  if (!text.startsWith('/')) return { kind: 'action', action: { type: 'say', text } };
  // `//text` sends `/text` as an ordinary message.
  if (text.startsWith('//')) return { kind: 'action', action: { type: 'say', text: text.slice(1) } };
  const space = text.search(/\s/);
  const word = (space === -1 ? text.slice(1) : text.slice(1, space)).toLowerCase();
  const args = space === -1 ? '' : text.slice(space).trim();
  const command = BY_NAME.get(word);
  if (!command) return { kind: 'unknown', command: word };
  const parsed = command.parse(args);
  if (parsed === null) return { kind: 'usage', usage: usageOf(command, 'en') };
  if (parsed === 'help') return { kind: 'help' };
  return { kind: 'action', action: parsed };
}

/** The /help listing, one line per command. */
export function helpLines(lang: Lang): string[] {
  const width = Math.max(...COMMANDS.map((c) => usageOf(c, lang).length));
  return COMMANDS.map((c) => `***   ${usageOf(c, lang).padEnd(width)}  ${c.help[lang]}`);
}
