import type { Lang } from '../protocol/texts.js';
import type { Failure } from './session-events.js';

/** Everything the client itself says to its user, in English and Brazilian Portuguese. */
export interface ClientTexts {
  namePrompt: string;
  /** A registered name: its password is asked (no echo). */
  passwordFor(name: string): string;
  /** A server for registered names only: the password chosen registers the name. */
  choosePassword(name: string): string;
  connecting(address: string): string;
  unreachable(address: string, why: string): string;
  connectWhy(code: string): string;
  closedBeforeJoin(address: string, lastLine: string | undefined): string;
  lost: string;
  retrying(seconds: number, attempt: number): string;
  reconnected: string;
  reclaiming(name: string): string;
  gaveUp(attempts: number): string;
  tlsPort(address: string): string;
  notTls(address: string): string;
  plainMode(why: 'flag' | 'greeting'): string;
  notPapoCommand(command: string): string;
  notInRoom(room: string): string;
  replaced: string;
  /** The server's node was counted gone while cut off, and the name was taken meanwhile. */
  nameLost: string;
  pipeNeedsName: string;
  refused(message: string): string;
  tooLong(bytes: number, limit: number): string;
  unknownCommand(cmd: string): string;
  usage(usage: string): string;
  helpHeader: string;
  helpFooter: string;
  online(users: string[]): string;
  privateTag: string;
  privateTo(name: string): string;
  pong: string;
  bye: string;
  queued: string;
}

const en: ClientTexts = {
  namePrompt: 'Your name: ',
  passwordFor: (name) => `${name} is registered: type its password (it is not shown).`,
  choosePassword: (name) =>
    `This server only admits registered names: choose a password for ${name} (it is not shown).`,
  connecting: (a) => `Connecting to ${a} …`,
  unreachable: (a, why) => `cannot connect to ${a}: ${why}`,
  connectWhy: (code) =>
    ({
      ECONNREFUSED: 'connection refused (is the server running on that port?)',
      ENOTFOUND: 'unknown host name',
      EAI_AGAIN: 'the host name could not be looked up right now',
      ETIMEDOUT: 'no answer (timed out)',
      EHOSTUNREACH: 'host unreachable',
      ENETUNREACH: 'network unreachable',
    })[code] ?? `connection failed (${code})`,
  closedBeforeJoin: (a, line) => `${a} closed the connection before you joined${line ? `: ${line}` : '.'}`,
  lost: 'Connection lost.',
  retrying: (s, n) => `Reconnecting in ${s.toFixed(1)} s (attempt ${n}) … /quit leaves.`,
  reconnected: 'Connected again.',
  reclaiming: (name) => `The server still holds the name ${name} for the lost connection; trying again …`,
  gaveUp: (n) => `Gave up after ${n} reconnect attempts.`,
  tlsPort: (a) =>
    `${a} speaks TLS, so nothing was delivered: connect with papo client --tls ${a} (the plain-text port is 65432 unless the server was started with another --port).`,
  notTls: (a) =>
    `${a} does not speak TLS (it answered in plain text): leave out --tls and --fingerprint, or give the server's TLS port (65433 unless it was started with another --tls-port).`,
  plainMode: (why) =>
    why === 'flag'
      ? 'Plain text mode (--plain): lines are sent as typed.'
      : 'This is not a papo server: plain text mode, lines are sent as typed.',
  notPapoCommand: (c) => `not a papo server: ${c} is not available (not sent)`,
  notInRoom: (r) => `You are not in ${r}: /join ${r} first.`,
  replaced: 'You connected again from elsewhere with this session; this client stops here.',
  nameLost:
    'The server was cut off from the rest of the chat and someone took your name meanwhile; pick another name.',
  pipeNeedsName: 'no name: give --name NAME, or make the first line of input the name',
  refused: (m) => `Not sent: ${m}`,
  tooLong: (b, l) => `Message not sent: ${b} bytes, the limit is ${l} bytes (UTF-8). Split it up.`,
  unknownCommand: (c) =>
    `Unknown command /${c}. /help lists the commands; start with // to send a line beginning with /.`,
  usage: (u) => `Usage: ${u}`,
  helpHeader: 'Commands:',
  helpFooter:
    'Any other line goes to everyone. *bold* _italic_ ~strike~ `code` :smile: → 😄. Tab completes names, commands and :emoji:; ↑/↓ recall earlier lines.',
  online: (u) => `Online now (${u.length}): ${u.join(', ')}`,
  privateTag: '[private]',
  privateTo: (n) => `[private to ${n}]`,
  pong: 'pong',
  bye: 'Goodbye!',
  queued: 'Not connected: what you send now goes out once the client is back.',
};

const pt: ClientTexts = {
  namePrompt: 'Seu nome: ',
  passwordFor: (name) => `${name} é registrado: digite a senha (ela não aparece).`,
  choosePassword: (name) =>
    `Este servidor só aceita nomes registrados: escolha uma senha para ${name} (ela não aparece).`,
  connecting: (a) => `Conectando a ${a} …`,
  unreachable: (a, why) => `não foi possível conectar a ${a}: ${why}`,
  connectWhy: (code) =>
    ({
      ECONNREFUSED: 'conexão recusada (o servidor está rodando nessa porta?)',
      ENOTFOUND: 'nome de host desconhecido',
      EAI_AGAIN: 'não foi possível consultar o nome do host agora',
      ETIMEDOUT: 'sem resposta (tempo esgotado)',
      EHOSTUNREACH: 'host inalcançável',
      ENETUNREACH: 'rede inalcançável',
    })[code] ?? `falha na conexão (${code})`,
  closedBeforeJoin: (a, line) => `${a} fechou a conexão antes de você entrar${line ? `: ${line}` : '.'}`,
  lost: 'Conexão perdida.',
  retrying: (s, n) => `Reconectando em ${s.toFixed(1).replace('.', ',')} s (tentativa ${n}) … /quit encerra.`,
  reconnected: 'Conectado de novo.',
  reclaiming: (name) => `O servidor ainda reserva o nome ${name} para a conexão perdida; tentando de novo …`,
  gaveUp: (n) => `Desisti depois de ${n} tentativas de reconexão.`,
  tlsPort: (a) =>
    `${a} fala TLS, então nada foi entregue: conecte com papo client --tls ${a} (a porta de texto simples é a 65432, se o servidor não foi iniciado com outra --port).`,
  notTls: (a) =>
    `${a} não fala TLS (respondeu em texto simples): tire --tls e --fingerprint, ou use a porta TLS do servidor (65433, se ele não foi iniciado com outra --tls-port).`,
  plainMode: (why) =>
    why === 'flag'
      ? 'Modo texto simples (--plain): as linhas são enviadas como digitadas.'
      : 'Este não é um servidor papo: modo texto simples, as linhas são enviadas como digitadas.',
  notPapoCommand: (c) => `não é um servidor papo: ${c} não está disponível (não enviado)`,
  notInRoom: (r) => `Você não está em ${r}: entre antes com /join ${r}.`,
  replaced: 'Você se conectou de novo em outro lugar com esta sessão; este cliente para aqui.',
  nameLost:
    'O servidor ficou isolado do resto do chat e alguém pegou seu nome nesse meio-tempo; escolha outro nome.',
  pipeNeedsName: 'sem nome: use --name NOME, ou ponha o nome na primeira linha da entrada',
  refused: (m) => `Não enviado: ${m}`,
  tooLong: (b, l) => `Mensagem não enviada: ${b} bytes, o limite é ${l} bytes (UTF-8). Divida em partes.`,
  unknownCommand: (c) =>
    `Comando desconhecido /${c}. /help lista os comandos; comece com // para enviar uma linha que começa com /.`,
  usage: (u) => `Uso: ${u}`,
  helpHeader: 'Comandos:',
  helpFooter:
    'Qualquer outra linha vai para todos. *negrito* _itálico_ ~riscado~ `código` :smile: → 😄. Tab completa nomes, comandos e :emoji:; ↑/↓ trazem linhas anteriores.',
  online: (u) => `Online agora (${u.length}): ${u.join(', ')}`,
  privateTag: '[privado]',
  privateTo: (n) => `[privado para ${n}]`,
  pong: 'pong',
  bye: 'Até logo!',
  queued: 'Sem conexão: o que você enviar agora sai quando o cliente voltar.',
};

export const CLIENT_TEXTS: Record<Lang, ClientTexts> = { en, pt };

/** The one line that says why a session ended on its own (printed on stderr, exit code 1). */
export function failureText(t: ClientTexts, address: string, f: Failure): string {
  switch (f.kind) {
    case 'untrusted':
      return f.message;
    case 'unreachable':
      return t.unreachable(address, t.connectWhy(f.code));
    case 'closed-before-join':
      return t.closedBeforeJoin(address, f.lastLine);
    case 'gave-up':
      return t.gaveUp(f.attempts);
    case 'replaced':
      return t.replaced;
    case 'tls-port':
      return t.tlsPort(address);
    case 'not-tls':
      return t.notTls(address);
  }
}
