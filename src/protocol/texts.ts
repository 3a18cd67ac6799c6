import type { ErrorCode, NameProblem } from '../core/errors.js';
import type { ErrorDetail, LeaveReason, NoticeCode } from '../core/events.js';
import { usageIn } from './plain-commands.js';

/** Languages for everything the server says to people. */
export const LANGS = ['en', 'pt'] as const;
export type Lang = (typeof LANGS)[number];

/** Picks en or pt from a locale string such as `pt_BR.UTF-8`; English otherwise. */
export function langFromLocale(locale: string | undefined): Lang {
  return locale && /^pt([_-]|$)/i.test(locale) ? 'pt' : 'en';
}

export function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'pt';
}

/** Shows a character by its code point, so an error never echoes an invisible or control character. */
export function codePointLabel(cp: number): string {
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  const ch = String.fromCodePoint(cp);
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(ch) && cp > 0x20 ? `'${ch}' (U+${hex})` : `U+${hex}`;
}

export interface Texts {
  banner(version: string): string;
  prompt: string;
  welcome(name: string, users: string[], resumed: boolean): string[];
  online(users: string[]): string;
  joined(name: string): string;
  left(name: string, reason: LeaveReason): string;
  renamed(oldName: string, newName: string): string;
  privateFrom: string;
  privateTo(name: string): string;
  goodbye: string;
  replaced: string;
  pong: string;
  notice(code: NoticeCode, detail: ErrorDetail): string;
  error(code: ErrorCode, detail: ErrorDetail): string;
  helpHeader: string;
  helpFooter: string;
  historyHeader(count: number): string;
  historyFooter: string;
  /** Footer when older messages exist than those shown. */
  historyFooterMore: string;
  /** Footer of a search's matches. */
  searchFooter: string;
  historyPageHeader(count: number): string;
  historyNone: string;
  searchHeader(query: string, count: number): string;
  searchNone(query: string): string;
}

const LIST_LIMIT = 50;
function listNames(users: string[], more: (n: number) => string): string {
  const shown = users.slice(0, LIST_LIMIT).join(', ');
  return users.length > LIST_LIMIT ? `${shown} ${more(users.length - LIST_LIMIT)}` : shown;
}

function nameProblemEn(p: NameProblem): string {
  switch (p.kind) {
    case 'empty':
      return 'a name needs at least one character';
    case 'too_long':
      return `it has ${p.chars} characters, the limit is ${p.max}`;
    case 'bad_char':
      return `the character ${codePointLabel(p.codePoint)} is not allowed (use letters, digits and _ - .)`;
  }
}
function nameProblemPt(p: NameProblem): string {
  switch (p.kind) {
    case 'empty':
      return 'o nome precisa de pelo menos um caractere';
    case 'too_long':
      return `tem ${p.chars} caracteres, o limite é ${p.max}`;
    case 'bad_char':
      return `o caractere ${codePointLabel(p.codePoint)} não é permitido (use letras, dígitos e _ - .)`;
  }
}

function detailText(d: ErrorDetail): string {
  return d.kind === 'text' ? d.text : '';
}

const en: Texts = {
  banner: (v) => `*** papo ${v}: chat server`,
  prompt: 'Your name: ',
  welcome: (name, users, resumed) => [
    resumed ? `*** Welcome back, ${name}! You are connected again.` : `*** Welcome, ${name}!`,
    `*** Online now (${users.length}): ${listNames(users, (n) => `and ${n} more`)}`,
    '*** Type a message and press Enter. /help lists the commands; sair leaves.',
  ],
  online: (users) => `*** Online now (${users.length}): ${listNames(users, (n) => `and ${n} more`)}`,
  joined: (name) => `*** ${name} joined the chat.`,
  left: (name, reason) => {
    const why: Record<LeaveReason, string> = {
      quit: '',
      disconnect: ' (connection lost)',
      timeout: ' (timed out)',
      flood: ' (disconnected for flooding)',
      slow: ' (disconnected: not reading)',
      replaced: '',
      shutdown: '',
    };
    return `*** ${name} left the chat${why[reason]}.`;
  },
  renamed: (o, n) => `*** ${o} is now known as ${n}.`,
  privateFrom: '[private]',
  privateTo: (name) => `[private to ${name}]`,
  goodbye: '*** Goodbye!',
  replaced: '*** You connected again from elsewhere with your session token; this connection is closed.',
  pong: '*** pong',
  notice: (code, d) => {
    switch (code) {
      case 'SHUTDOWN':
        return '*** The server is shutting down. Goodbye!';
      case 'THROTTLED':
        return `*** Slow down: you are sending faster than ${d.kind === 'rate' ? d.linesPerSecond : '?'} lines per second; your messages are being delayed.`;
    }
  },
  error: (code, d) => {
    switch (code) {
      case 'BAD_REQUEST':
        return `Bad request: ${detailText(d)}`;
      case 'UNSUPPORTED_VERSION':
        return `Unsupported protocol version ${detailText(d)}; this server speaks version 1.`;
      case 'NOT_JOINED':
        return 'Join with a name first.';
      case 'ALREADY_JOINED':
        return 'You have already joined; use /nick to change your name.';
      case 'NAME_INVALID':
        return `Name not accepted: ${d.kind === 'name' ? nameProblemEn(d.problem) : ''}.`;
      case 'NAME_TAKEN':
        return `The name ${d.kind === 'name_taken' ? d.name : ''} is taken (names ignore letter case); choose another.`;
      case 'MESSAGE_TOO_LONG':
        return d.kind === 'size'
          ? `Message not sent: ${d.bytes} bytes, the limit is ${d.limit} bytes (UTF-8). Split it into shorter lines.`
          : 'Message not sent: too long.';
      case 'LINE_TOO_LONG':
        return d.kind === 'size'
          ? `Line dropped: ${d.bytes} bytes, the limit is ${d.limit} bytes.`
          : 'Line dropped: too long.';
      case 'EMPTY_MESSAGE':
        return 'Message not sent: it is empty.';
      case 'UNKNOWN_COMMAND':
        return `Unknown command /${d.kind === 'command' ? d.command : ''}. Type /help for the list; start with // to send a line beginning with /.`;
      case 'USAGE':
        return `Usage: ${d.kind === 'usage' ? d.command : ''}`;
      case 'NO_SUCH_USER':
        return `No user named ${d.kind === 'user' ? d.name : ''} is online. /who lists who is.`;
      case 'FLOODING':
        return 'Disconnected: far too many messages too fast (flood control).';
      case 'NAME_TIMEOUT':
        return `Disconnected: no name given within ${d.kind === 'seconds' ? d.seconds : '?'} seconds.`;
      case 'SERVER_FULL':
        return `The server is full (${d.kind === 'limit' ? d.limit : '?'} connections). Try again later.`;
      case 'TOO_MANY_FROM_ADDRESS':
        return `Too many connections from your address (limit ${d.kind === 'limit' ? d.limit : '?'}).`;
      case 'HISTORY_UNAVAILABLE':
        return d.kind === 'text'
          ? `Message history cannot be read right now (${d.text}); the chat goes on.`
          : 'Message history is turned off on this server.';
      case 'STORAGE_FAILED':
        return `The server could not store your message (${detailText(d)}): the others got it, but it is not in the history.`;
      case 'INTERNAL':
        return 'Internal server error; the request was not carried out.';
    }
  },
  helpHeader: '*** Commands:',
  helpFooter: '*** Any other line is a message to everyone. sair or /quit leaves.',
  historyHeader: (n) => (n === 1 ? '*** History: the last message' : `*** History: the last ${n} messages`),
  historyFooter: '*** End of history',
  historyFooterMore: '*** End of history; /history shows older messages',
  searchFooter: '*** End of results',
  historyPageHeader: (n) => `*** History: ${n} older ${n === 1 ? 'message' : 'messages'}`,
  historyNone: '*** No older messages in the history.',
  searchHeader: (q, n) => `*** Search "${q}": ${n} ${n === 1 ? 'match' : 'matches'}, best first`,
  searchNone: (q) => `*** Search "${q}": no messages match.`,
};

const pt: Texts = {
  banner: (v) => `*** papo ${v}: servidor de bate-papo`,
  prompt: 'Digite seu nome: ',
  welcome: (name, users, resumed) => [
    resumed ? `*** Bem-vindo de volta, ${name}! Você está conectado de novo.` : `*** Bem-vindo, ${name}!`,
    `*** Online agora (${users.length}): ${listNames(users, (n) => `e mais ${n}`)}`,
    '*** Digite uma mensagem e tecle Enter. /help lista os comandos; sair encerra.',
  ],
  online: (users) => `*** Online agora (${users.length}): ${listNames(users, (n) => `e mais ${n}`)}`,
  joined: (name) => `*** ${name} entrou no chat!`,
  left: (name, reason) => {
    const why: Record<LeaveReason, string> = {
      quit: '',
      disconnect: ' (conexão perdida)',
      timeout: ' (tempo esgotado)',
      flood: ' (desconectado por flood)',
      slow: ' (desconectado: não estava lendo)',
      replaced: '',
      shutdown: '',
    };
    return `*** ${name} saiu do chat${why[reason]}.`;
  },
  renamed: (o, n) => `*** ${o} agora se chama ${n}.`,
  privateFrom: '[privado]',
  privateTo: (name) => `[privado para ${name}]`,
  goodbye: '*** Até logo!',
  replaced:
    '*** Você se conectou de novo em outro lugar com seu token de sessão; esta conexão foi encerrada.',
  pong: '*** pong',
  notice: (code, d) => {
    switch (code) {
      case 'SHUTDOWN':
        return '*** O servidor está sendo desligado. Até logo!';
      case 'THROTTLED':
        return `*** Mais devagar: você está enviando mais de ${d.kind === 'rate' ? d.linesPerSecond : '?'} linhas por segundo; suas mensagens estão sendo atrasadas.`;
    }
  },
  error: (code, d) => {
    switch (code) {
      case 'BAD_REQUEST':
        return `Requisição inválida: ${detailText(d)}`;
      case 'UNSUPPORTED_VERSION':
        return `Versão de protocolo ${detailText(d)} não suportada; este servidor fala a versão 1.`;
      case 'NOT_JOINED':
        return 'Entre com um nome primeiro.';
      case 'ALREADY_JOINED':
        return 'Você já entrou; use /nick para mudar de nome.';
      case 'NAME_INVALID':
        return `Nome não aceito: ${d.kind === 'name' ? nameProblemPt(d.problem) : ''}.`;
      case 'NAME_TAKEN':
        return `O nome ${d.kind === 'name_taken' ? d.name : ''} já está em uso (maiúsculas e minúsculas não contam); escolha outro.`;
      case 'MESSAGE_TOO_LONG':
        return d.kind === 'size'
          ? `Mensagem não enviada: ${d.bytes} bytes, o limite é ${d.limit} bytes (UTF-8). Divida em linhas menores.`
          : 'Mensagem não enviada: longa demais.';
      case 'LINE_TOO_LONG':
        return d.kind === 'size'
          ? `Linha descartada: ${d.bytes} bytes, o limite é ${d.limit} bytes.`
          : 'Linha descartada: longa demais.';
      case 'EMPTY_MESSAGE':
        return 'Mensagem não enviada: está vazia.';
      case 'UNKNOWN_COMMAND':
        return `Comando desconhecido /${d.kind === 'command' ? d.command : ''}. Digite /help para a lista; comece com // para enviar uma linha que começa com /.`;
      case 'USAGE':
        return `Uso: ${d.kind === 'usage' ? usageIn('pt', d.command) : ''}`;
      case 'NO_SUCH_USER':
        return `Ninguém chamado ${d.kind === 'user' ? d.name : ''} está online. /who lista quem está.`;
      case 'FLOODING':
        return 'Desconectado: mensagens demais rápido demais (controle de flood).';
      case 'NAME_TIMEOUT':
        return `Desconectado: nenhum nome informado em ${d.kind === 'seconds' ? d.seconds : '?'} segundos.`;
      case 'SERVER_FULL':
        return `O servidor está cheio (${d.kind === 'limit' ? d.limit : '?'} conexões). Tente mais tarde.`;
      case 'TOO_MANY_FROM_ADDRESS':
        return `Conexões demais do seu endereço (limite ${d.kind === 'limit' ? d.limit : '?'}).`;
      case 'HISTORY_UNAVAILABLE':
        return d.kind === 'text'
          ? `O histórico de mensagens não pode ser lido agora (${d.text}); o chat continua.`
          : 'O histórico de mensagens está desligado neste servidor.';
      case 'STORAGE_FAILED':
        return `O servidor não conseguiu guardar sua mensagem (${detailText(d)}): os outros a receberam, mas ela não está no histórico.`;
      case 'INTERNAL':
        return 'Erro interno do servidor; o pedido não foi executado.';
    }
  },
  helpHeader: '*** Comandos:',
  helpFooter: '*** Qualquer outra linha é uma mensagem para todos. sair ou /quit encerra.',
  historyHeader: (n) =>
    n === 1 ? '*** Histórico: a última mensagem' : `*** Histórico: as últimas ${n} mensagens`,
  historyFooter: '*** Fim do histórico',
  historyFooterMore: '*** Fim do histórico; /history mostra mensagens mais antigas',
  searchFooter: '*** Fim dos resultados',
  historyPageHeader: (n) => `*** Histórico: ${n} ${n === 1 ? 'mensagem anterior' : 'mensagens anteriores'}`,
  historyNone: '*** Não há mensagens mais antigas no histórico.',
  searchHeader: (q, n) =>
    `*** Busca "${q}": ${n} ${n === 1 ? 'resultado' : 'resultados'}, os melhores primeiro`,
  searchNone: (q) => `*** Busca "${q}": nenhuma mensagem encontrada.`,
};

export const TEXTS: Record<Lang, Texts> = { en, pt };
