import type { ErrorCode, NameProblem } from '../core/errors.js';
import type { ErrorDetail, LeaveReason, NoticeCode } from '../core/events.js';
import { accountErrorText } from './account-texts.js';
import { MODERATION_TEXTS } from './moderation-texts.js';
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
  /** Asked after a registered name (docs/PROTOCOL.md, "Accounts"). */
  passwordPrompt: string;
  /** `users` may list only the first of `count` members (busy rooms send the first 100). */
  welcome(name: string, users: string[], resumed: boolean, count?: number): string[];
  online(users: string[], count?: number): string;
  joined(name: string): string;
  joinedRoom(name: string, room: string): string;
  parted(name: string, room: string, reason: string | undefined): string;
  topicSet(by: string, room: string, text: string): string;
  topicInfo(room: string, text: string): string;
  /** After entering (or coming back to) a room: where you are, its topic and members. */
  inRoom(room: string, topic: string, users: string[], count?: number): string[];
  /** `/who` of a room other than the default one. */
  members(room: string, users: string[]): string;
  roomsHeader(count: number): string;
  roomLine(room: string, users: number, topic: string): string;
  /** A busy room's joins or leaves of the last second, told at once. */
  presenceJoined(count: number, names: string[]): string;
  presenceLeft(count: number, names: string[]): string;
  left(name: string, reason: LeaveReason): string;
  renamed(oldName: string, newName: string): string;
  privateFrom: string;
  privateTo(name: string): string;
  /** A file sent to a room (`about`: size and hash start, in parentheses). */
  fileSent(from: string, name: string, about: string, url: string): string;
  /** A file sent to the reader alone. */
  fileSentYou(from: string, name: string, about: string, url: string): string;
  goodbye: string;
  replaced: string;
  /** The bye of a user whose cluster node was counted gone while cut off, its name taken meanwhile. */
  nameLost: string;
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
/** The first names of a list of `total`, and how many more there are. */
function listNames(users: string[], more: (n: number) => string, total = users.length): string {
  const listed = users.slice(0, LIST_LIMIT);
  const shown = listed.join(', ');
  return total > listed.length ? `${shown} ${more(total - listed.length)}` : shown;
}

function nameProblemEn(p: NameProblem): string {
  switch (p.kind) {
    case 'empty':
      return 'a name needs at least one character';
    case 'too_long':
      return `it has ${p.chars} characters, the limit is ${p.max}`;
    case 'bad_char':
      return `the character ${codePointLabel(p.codePoint)} is not allowed (use letters, digits and _ - .)`;
    case 'no_hash':
      return 'a room name starts with #';
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
    case 'no_hash':
      return 'o nome de uma sala começa com #';
  }
}

function detailText(d: ErrorDetail): string {
  return d.kind === 'text' ? d.text : '';
}

function roomOf(d: ErrorDetail): string {
  return d.kind === 'room' ? d.room : '';
}

const en: Texts = {
  banner: (v) => `*** papo ${v}: chat server`,
  prompt: 'Your name: ',
  passwordPrompt: 'Password: ',
  welcome: (name, users, resumed, count = users.length) => [
    resumed ? `*** Welcome back, ${name}! You are connected again.` : `*** Welcome, ${name}!`,
    `*** Online now (${count}): ${listNames(users, (n) => `and ${n} more`, count)}`,
    '*** Type a message and press Enter. /help lists the commands; sair leaves.',
  ],
  online: (users, count = users.length) =>
    `*** Online now (${count}): ${listNames(users, (n) => `and ${n} more`, count)}`,
  joined: (name) => `*** ${name} joined the chat.`,
  joinedRoom: (name, room) => `*** ${name} joined ${room}.`,
  parted: (name, room, reason) => `*** ${name} left ${room}${reason ? ` (${reason})` : ''}.`,
  topicSet: (by, room, text) =>
    text ? `*** ${by} set the topic of ${room}: ${text}` : `*** ${by} cleared the topic of ${room}.`,
  topicInfo: (room, text) => (text ? `*** Topic of ${room}: ${text}` : `*** ${room} has no topic.`),
  inRoom: (room, topic, users, count = users.length) => [
    `*** You are in ${room} now; your lines go there.${topic ? ` Topic: ${topic}` : ''}`,
    `*** In ${room} (${count}): ${listNames(users, (n) => `and ${n} more`, count)}`,
  ],
  members: (room, users) => `*** In ${room} (${users.length}): ${listNames(users, (n) => `and ${n} more`)}`,
  roomsHeader: (n) => `*** Rooms (${n}):`,
  roomLine: (room, users, topic) => `***   ${room} (${users})${topic ? `: ${topic}` : ''}`,
  presenceJoined: (n, names) =>
    `*** ${n} ${n === 1 ? 'person' : 'people'} joined: ${listNames(names, (k) => `and ${k} more`, n)}.`,
  presenceLeft: (n, names) =>
    `*** ${n} ${n === 1 ? 'person' : 'people'} left: ${listNames(names, (k) => `and ${k} more`, n)}.`,
  left: (name, reason) => {
    const why: Record<LeaveReason, string> = {
      quit: '',
      disconnect: ' (connection lost)',
      timeout: ' (timed out)',
      flood: ' (disconnected for flooding)',
      slow: ' (disconnected: not reading)',
      replaced: '',
      shutdown: '',
      kicked: ' (kicked)',
      banned: ' (banned)',
      name_lost: '',
    };
    return `*** ${name} left the chat${why[reason]}.`;
  },
  renamed: (o, n) => `*** ${o} is now known as ${n}.`,
  privateFrom: '[private]',
  privateTo: (name) => `[private to ${name}]`,
  fileSent: (from, name, about, url) => `*** ${from} sent ${name} ${about}: ${url}`,
  fileSentYou: (from, name, about, url) => `*** ${from} sent you ${name} ${about}: ${url}`,
  goodbye: '*** Goodbye!',
  replaced: '*** You connected again from elsewhere with your session token; this connection is closed.',
  nameLost:
    '*** This server was cut off from the rest of the chat long enough to be counted gone, and someone else took your name meanwhile; this connection is closed. Connect again and pick another name.',
  pong: '*** pong',
  notice: (code, d) => {
    switch (code) {
      case 'SHUTDOWN':
        return '*** The server is shutting down. Goodbye!';
      case 'THROTTLED':
        return `*** Slow down: you are sending faster than ${d.kind === 'rate' ? d.linesPerSecond : '?'} lines per second; your messages are being delayed.`;
      case 'CLUSTER_DEGRADED':
        return '*** The chat is degraded: this server lost touch with the others. Messages are refused until it is back.';
      case 'CLUSTER_RESTORED':
        return '*** The chat is back: this server is in touch with the others again.';
      case 'CLUSTER_REJOINED':
        return '*** The chat is back: this server was cut off from the others long enough to be counted gone, so they saw you leave and come back. You are in your rooms again.';
      case 'EVENTS_LOST':
        return d.kind === 'lost'
          ? `*** Events #${d.from} to #${d.to} are gone: the chat's store no longer had them (it restarted empty, or this server fell too far behind), so what was said then is missing here.`
          : "*** Some events are gone: the chat's store lost them.";
    }
  },
  error: (code, d) => {
    switch (code) {
      case 'BAD_REQUEST':
        return `Bad request: ${detailText(d)}`;
      case 'UNSUPPORTED_VERSION':
        return `Unsupported protocol version ${detailText(d)}; this server speaks versions 1 and 2.`;
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
      case 'ROOM_INVALID':
        return `Room name not accepted: ${d.kind === 'room_name' ? nameProblemEn(d.problem) : ''}.`;
      case 'NO_SUCH_ROOM':
        return `There is no room ${roomOf(d)}. /rooms lists the rooms; /join ${roomOf(d)} creates it.`;
      case 'NOT_IN_ROOM':
        return `You are not in ${roomOf(d)}; /join ${roomOf(d)} first.`;
      case 'TOO_MANY_ROOMS':
        return `Room not created: the server already has ${d.kind === 'limit' ? d.limit : '?'} rooms, its limit.`;
      case 'ROOM_LIMIT':
        return `You are in ${d.kind === 'limit' ? d.limit : '?'} rooms, the most allowed; /part one first.`;
      case 'LAST_ROOM':
        return `You are only in ${roomOf(d)}, the default room: there is no other room to go back to.`;
      case 'FLOODING':
        return 'Disconnected: far too many messages too fast (flood control).';
      case 'NAME_TIMEOUT':
        return `Disconnected: no name given within ${d.kind === 'seconds' ? d.seconds : '?'} seconds.`;
      case 'IDLE_TIMEOUT':
        return `Disconnected: no line sent in ${d.kind === 'seconds' ? d.seconds : '?'} s (the server's idle limit).`;
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
      case 'CLUSTER_DOWN':
        return 'The chat is degraded (this server lost touch with the others): not sent. Try again shortly.';
      case 'FILES_OFF':
        return 'File transfer is turned off on this server.';
      case 'FILE_TOO_BIG':
        return d.kind === 'size'
          ? `File not sent: ${d.bytes} bytes, the limit is ${d.limit} bytes.`
          : 'File not sent: too big.';
      case 'FILE_NAME_INVALID':
        return d.kind === 'size'
          ? `File not sent: its name is ${d.bytes} bytes long; at most ${d.limit} are accepted.`
          : 'File not sent: its name is not accepted.';
      case 'NO_SUCH_FILE':
        return 'No such file: unknown, expired, or not for you.';
      case 'TOO_MANY_UPLOADS':
        return `File not sent: at most ${d.kind === 'limit' ? d.limit : '?'} unfinished uploads at once; finish or cancel one first.`;
      case 'FILE_RATE':
        return `File not sent: at most ${d.kind === 'limit' ? d.limit : '?'} uploads a minute; try again shortly.`;
      case 'INTERNAL':
        return 'Internal server error; the request was not carried out.';
      case 'NOT_OPERATOR':
      case 'BAD_TARGET':
      case 'BANNED':
      case 'MUTED':
        return MODERATION_TEXTS.en.error(code, d);
      default:
        return accountErrorText('en', code, d);
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
  passwordPrompt: 'Senha: ',
  welcome: (name, users, resumed, count = users.length) => [
    resumed ? `*** Bem-vindo de volta, ${name}! Você está conectado de novo.` : `*** Bem-vindo, ${name}!`,
    `*** Online agora (${count}): ${listNames(users, (n) => `e mais ${n}`, count)}`,
    '*** Digite uma mensagem e tecle Enter. /help lista os comandos; sair encerra.',
  ],
  online: (users, count = users.length) =>
    `*** Online agora (${count}): ${listNames(users, (n) => `e mais ${n}`, count)}`,
  joined: (name) => `*** ${name} entrou no chat!`,
  joinedRoom: (name, room) => `*** ${name} entrou em ${room}.`,
  parted: (name, room, reason) => `*** ${name} saiu de ${room}${reason ? ` (${reason})` : ''}.`,
  topicSet: (by, room, text) =>
    text ? `*** ${by} mudou o tópico de ${room}: ${text}` : `*** ${by} apagou o tópico de ${room}.`,
  topicInfo: (room, text) => (text ? `*** Tópico de ${room}: ${text}` : `*** ${room} não tem tópico.`),
  inRoom: (room, topic, users, count = users.length) => [
    `*** Você está em ${room} agora; suas linhas vão para lá.${topic ? ` Tópico: ${topic}` : ''}`,
    `*** Em ${room} (${count}): ${listNames(users, (n) => `e mais ${n}`, count)}`,
  ],
  members: (room, users) => `*** Em ${room} (${users.length}): ${listNames(users, (n) => `e mais ${n}`)}`,
  roomsHeader: (n) => `*** Salas (${n}):`,
  roomLine: (room, users, topic) => `***   ${room} (${users})${topic ? `: ${topic}` : ''}`,
  presenceJoined: (n, names) =>
    `*** ${n} ${n === 1 ? 'pessoa entrou' : 'pessoas entraram'}: ${listNames(names, (k) => `e mais ${k}`, n)}.`,
  presenceLeft: (n, names) =>
    `*** ${n} ${n === 1 ? 'pessoa saiu' : 'pessoas saíram'}: ${listNames(names, (k) => `e mais ${k}`, n)}.`,
  left: (name, reason) => {
    const why: Record<LeaveReason, string> = {
      quit: '',
      disconnect: ' (conexão perdida)',
      timeout: ' (tempo esgotado)',
      flood: ' (desconectado por flood)',
      slow: ' (desconectado: não estava lendo)',
      replaced: '',
      shutdown: '',
      kicked: ' (expulso)',
      banned: ' (banido)',
      name_lost: '',
    };
    return `*** ${name} saiu do chat${why[reason]}.`;
  },
  renamed: (o, n) => `*** ${o} agora se chama ${n}.`,
  privateFrom: '[privado]',
  privateTo: (name) => `[privado para ${name}]`,
  fileSent: (from, name, about, url) => `*** ${from} enviou ${name} ${about}: ${url}`,
  fileSentYou: (from, name, about, url) => `*** ${from} enviou para você ${name} ${about}: ${url}`,
  goodbye: '*** Até logo!',
  replaced:
    '*** Você se conectou de novo em outro lugar com seu token de sessão; esta conexão foi encerrada.',
  nameLost:
    '*** Este servidor ficou isolado do resto do chat por tempo suficiente para ser dado como fora, e outra pessoa pegou seu nome nesse meio-tempo; esta conexão foi encerrada. Conecte de novo e escolha outro nome.',
  pong: '*** pong',
  notice: (code, d) => {
    switch (code) {
      case 'SHUTDOWN':
        return '*** O servidor está sendo desligado. Até logo!';
      case 'THROTTLED':
        return `*** Mais devagar: você está enviando mais de ${d.kind === 'rate' ? d.linesPerSecond : '?'} linhas por segundo; suas mensagens estão sendo atrasadas.`;
      case 'CLUSTER_DEGRADED':
        return '*** O chat está degradado: este servidor perdeu contato com os outros. Mensagens são recusadas até ele voltar.';
      case 'CLUSTER_RESTORED':
        return '*** O chat voltou: este servidor está em contato com os outros de novo.';
      case 'CLUSTER_REJOINED':
        return '*** O chat voltou: este servidor ficou isolado dos outros por tempo suficiente para ser dado como fora, então eles viram você sair e voltar. Você está de novo nas suas salas.';
      case 'EVENTS_LOST':
        return d.kind === 'lost'
          ? `*** Os eventos #${d.from} a #${d.to} se perderam: o armazenamento do chat não os tinha mais (reiniciou vazio, ou este servidor ficou atrasado demais), então o que foi dito nesse intervalo falta aqui.`
          : '*** Alguns eventos se perderam: o armazenamento do chat os perdeu.';
    }
  },
  error: (code, d) => {
    switch (code) {
      case 'BAD_REQUEST':
        return `Requisição inválida: ${detailText(d)}`;
      case 'UNSUPPORTED_VERSION':
        return `Versão de protocolo ${detailText(d)} não suportada; este servidor fala as versões 1 e 2.`;
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
      case 'ROOM_INVALID':
        return `Nome de sala não aceito: ${d.kind === 'room_name' ? nameProblemPt(d.problem) : ''}.`;
      case 'NO_SUCH_ROOM':
        return `Não existe a sala ${roomOf(d)}. /rooms lista as salas; /join ${roomOf(d)} cria essa.`;
      case 'NOT_IN_ROOM':
        return `Você não está em ${roomOf(d)}; use /join ${roomOf(d)} antes.`;
      case 'TOO_MANY_ROOMS':
        return `Sala não criada: o servidor já tem ${d.kind === 'limit' ? d.limit : '?'} salas, o limite.`;
      case 'ROOM_LIMIT':
        return `Você está em ${d.kind === 'limit' ? d.limit : '?'} salas, o máximo permitido; saia de uma com /part antes.`;
      case 'LAST_ROOM':
        return `Você está só em ${roomOf(d)}, a sala padrão: não há outra sala para onde voltar.`;
      case 'FLOODING':
        return 'Desconectado: mensagens demais rápido demais (controle de flood).';
      case 'NAME_TIMEOUT':
        return `Desconectado: nenhum nome informado em ${d.kind === 'seconds' ? d.seconds : '?'} segundos.`;
      case 'IDLE_TIMEOUT':
        return `Desconectado: nenhuma linha enviada em ${d.kind === 'seconds' ? d.seconds : '?'} s (o limite de inatividade do servidor).`;
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
      case 'CLUSTER_DOWN':
        return 'O chat está degradado (este servidor perdeu contato com os outros): não enviado. Tente de novo em instantes.';
      case 'FILES_OFF':
        return 'A transferência de arquivos está desligada neste servidor.';
      case 'FILE_TOO_BIG':
        return d.kind === 'size'
          ? `Arquivo não enviado: ${d.bytes} bytes, o limite é ${d.limit} bytes.`
          : 'Arquivo não enviado: grande demais.';
      case 'FILE_NAME_INVALID':
        return d.kind === 'size'
          ? `Arquivo não enviado: o nome tem ${d.bytes} bytes; o máximo aceito é ${d.limit}.`
          : 'Arquivo não enviado: o nome não é aceito.';
      case 'NO_SUCH_FILE':
        return 'Arquivo inexistente: desconhecido, expirado ou não destinado a você.';
      case 'TOO_MANY_UPLOADS':
        return `Arquivo não enviado: no máximo ${d.kind === 'limit' ? d.limit : '?'} envios inacabados ao mesmo tempo; termine ou cancele um antes.`;
      case 'FILE_RATE':
        return `Arquivo não enviado: no máximo ${d.kind === 'limit' ? d.limit : '?'} envios por minuto; tente de novo em instantes.`;
      case 'INTERNAL':
        return 'Erro interno do servidor; o pedido não foi executado.';
      case 'NOT_OPERATOR':
      case 'BAD_TARGET':
      case 'BANNED':
      case 'MUTED':
        return MODERATION_TEXTS.pt.error(code, d);
      default:
        return accountErrorText('pt', code, d);
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
