import { MAX_MESSAGE_BYTES, utf8Length } from '../core/index.js';
import type { ClientAction } from '../core/events.js';
import { COMMANDS, parsePlainLine, usageIn, usageOf } from '../protocol/plain-commands.js';
import type { Lang } from '../protocol/texts.js';
import { convertShortcodes } from './emoji.js';
import { CLIENT_TEXTS } from './texts.js';

type WithoutRef<A> = A extends unknown ? Omit<A, 'ref'> : never;

/**
 * A request the client sends once joined, and the server answers (`ack`, `users`, `pong`,
 * `error`…): the core's one request type, less what the session itself sends, with the `ref`
 * the session adds.
 */
export type ChatRequest = WithoutRef<Exclude<ClientAction, { type: 'join' | 'quit' }>>;

/** What one line typed by the user asks the client to do. */
export type ParsedInput =
  | { kind: 'none' }
  | { kind: 'request'; request: ChatRequest }
  | { kind: 'help' }
  | { kind: 'quit' }
  /** `/switch #room`: the client's own command, to make another of the user's rooms current. */
  | { kind: 'switch'; room: string }
  | { kind: 'error'; message: string };

/** The client's own commands, which the server never sees; in /help after the server's. */
const CLIENT_COMMANDS = [
  {
    name: 'switch',
    usage: { en: '/switch #room', pt: '/switch #sala' },
    help: {
      en: 'make another of your rooms the current one (Alt+1..9 too)',
      pt: 'torna outra das suas salas a atual (Alt+1..9 também)',
    },
  },
  // File transfer (issue #14): handled in files/, before a line reaches this parser.
  {
    name: 'send',
    usage: { en: '/send NAME|#room PATH', pt: '/send NOME|#sala CAMINHO' },
    help: {
      en: 'send a file to someone or to a room (resumes after a break)',
      pt: 'envia um arquivo a alguém ou a uma sala (retoma após uma queda)',
    },
  },
  {
    name: 'get',
    usage: { en: '/get ID|URL [DIR]', pt: '/get ID|URL [PASTA]' },
    help: {
      en: 'download a file sent in the chat (default: your Downloads folder)',
      pt: 'baixa um arquivo enviado no chat (padrão: sua pasta de Downloads)',
    },
  },
] as const;

const SWITCH = /^\/switch(?:\s+(\S+))?\s*$/i;

function checkLength(text: string, lang: Lang): string | null {
  const bytes = utf8Length(text.trim());
  return bytes > MAX_MESSAGE_BYTES ? CLIENT_TEXTS[lang].tooLong(bytes, MAX_MESSAGE_BYTES) : null;
}

function withText(request: ChatRequest, lang: Lang): ParsedInput {
  if (!('text' in request) || request.text === undefined) return { kind: 'request', request };
  // Shortcodes become emoji before sending, so every user sees the emoji (issue #3).
  const text = convertShortcodes(request.text);
  const problem = checkLength(text, lang);
  return problem ? { kind: 'error', message: problem } : { kind: 'request', request: { ...request, text } };
}

/** An object without its undefined keys (no `room` at all with a server without rooms). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function fromAction(action: ClientAction, lang: Lang): ParsedInput {
  switch (action.type) {
    case 'quit':
      return { kind: 'quit' };
    case 'join':
      return { kind: 'error', message: CLIENT_TEXTS[lang].unknownCommand(action.type) };
    default:
      // The command table already put the current room where the request needs one.
      return withText(defined(action), lang);
  }
}

/**
 * Interprets a line typed in a papo (JSON) session with the plain protocol's command table, so
 * `/msg`, `/me`, `/nick`, `/who`, `/join`, `/help`, `/quit`, `sair` and `//text` mean the same
 * in `nc` and in `papo client`; lines and room commands go to `room`, the current one.
 */
export function parseInput(line: string, lang: Lang, room?: string | null): ParsedInput {
  const t = CLIENT_TEXTS[lang];
  const local = SWITCH.exec(line.trim());
  if (local)
    return local[1]
      ? { kind: 'switch', room: local[1] }
      : { kind: 'error', message: t.usage(usageOf(CLIENT_COMMANDS[0], lang)) };
  // `/register` alone binds the user's key without a password (the session adds the key).
  if (/^\/register\s*$/i.test(line.trim())) return { kind: 'request', request: { type: 'register' } };
  const parsed = parsePlainLine(line, room ?? undefined);
  switch (parsed.kind) {
    case 'ignore':
      return { kind: 'none' };
    case 'help':
      return { kind: 'help' };
    case 'unknown':
      return { kind: 'error', message: t.unknownCommand(parsed.command) };
    case 'usage':
      return { kind: 'error', message: t.usage(usageIn(lang, parsed.usage)) };
    case 'action':
      return fromAction(parsed.action, lang);
  }
}

/**
 * The papo command a line starts with (`/who`, `/me` …, not `/quit`, which the client handles
 * itself), or null: on a server that is not papo such a line would reach everyone as chat.
 */
export function papoCommandOf(line: string): string | null {
  const m = /^\/([^\s/]\S*)/.exec(line.trim());
  const word = m?.[1]?.toLowerCase();
  return word !== undefined && word !== 'quit' && COMMANDS.some((c) => c.name === word) ? `/${word}` : null;
}

/** The command words, with their slash, for Tab completion. */
export function commandWords(): string[] {
  return [...COMMANDS, ...CLIENT_COMMANDS].map((c) => `/${c.name}`);
}

/** `/help` as lines: usage and description from the shared command table. */
export function helpLines(lang: Lang): string[] {
  const t = CLIENT_TEXTS[lang];
  const all = [...COMMANDS, ...CLIENT_COMMANDS];
  const width = Math.max(...all.map((c) => usageOf(c, lang).length));
  const rows = all.map((c) => `  ${usageOf(c, lang).padEnd(width)}  ${c.help[lang]}`);
  return [t.helpHeader, ...rows, t.helpFooter];
}
