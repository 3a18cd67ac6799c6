/** Every text the app shows, in English and Brazilian Portuguese (chosen from the browser). */
const en = {
  lang: 'en',
  appName: 'papo',
  loginTitle: 'Join the chat',
  nameLabel: 'Your name',
  passwordLabel: 'Password',
  accountDone: (of: string, name: string) =>
    of === 'register'
      ? `${name} is now registered to you.`
      : of === 'password'
        ? 'Password changed.'
        : `${name} is no longer registered.`,
  whois: (w: {
    name: string;
    registered: boolean;
    since?: number;
    fingerprint?: string;
    online: boolean;
    idleSeconds?: number;
  }) => [
    w.registered
      ? `${w.name}: registered since ${new Date(w.since ?? 0).toLocaleString()}`
      : `${w.name}: not registered`,
    ...(w.fingerprint ? [`key ${w.fingerprint}`] : []),
    w.online ? `online, idle ${w.idleSeconds ?? 0} s` : 'not online',
  ],
  passwordFor: (name: string) => `${name} is registered: type its password.`,
  choosePassword: (name: string) =>
    `This server only admits registered names: choose a password for ${name}.`,
  joinButton: 'Join',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnectingIn: (s: number) => `Connection lost. Reconnecting in ${s} s…`,
  reconnectNow: 'Reconnect now',
  replaced: 'This name was taken over by another tab or device.',
  nameLost:
    'The server was cut off from the rest of the chat and someone took your name meanwhile: choose another.',
  offlineOutbox: (n: number) => `${n} message${n === 1 ? '' : 's'} waiting to be sent`,
  menu: 'Menu',
  closeMenu: 'Close menu',
  rooms: 'Rooms',
  users: 'People here',
  privates: 'Private conversations',
  joinRoomLabel: 'Join or create a room',
  joinRoomPlaceholder: '#room',
  unread: (n: number) => `${n} unread`,
  messageLabel: (target: string) => `Message ${target}`,
  send: 'Send',
  sending: 'sending…',
  notSent: 'not sent',
  newMessages: 'New messages',
  historyGap: 'Some older messages expired from the history and cannot be shown.',
  historyStart: 'Beginning of the history',
  loadingOlder: 'Loading older messages…',
  joined: (name: string, room: string) => `${name} joined ${room}`,
  parted: (name: string, room: string, reason?: string) =>
    `${name} left ${room}${reason ? ` (${reason})` : ''}`,
  left: (name: string, reason: string) => `${name} left the chat (${reason})`,
  presenceJoined: (names: string[], n: number) =>
    `${n} ${n === 1 ? 'person' : 'people'} joined: ${names.join(', ')}${n > names.length ? ` and ${n - names.length} more` : ''}`,
  presenceLeft: (names: string[], n: number) =>
    `${n} ${n === 1 ? 'person' : 'people'} left: ${names.join(', ')}${n > names.length ? ` and ${n - names.length} more` : ''}`,
  usersCount: (n: number) => `People here (${n})`,
  renamed: (oldName: string, newName: string) => `${oldName} is now ${newName}`,
  topicSet: (by: string, text: string) => `${by} set the topic: ${text}`,
  topicIs: (room: string, text: string) => (text ? `Topic of ${room}: ${text}` : `${room} has no topic`),
  youJoined: (room: string) => `You are in ${room}`,
  roomsList: 'Rooms on this server:',
  roomLine: (room: string, users: number, topic: string) =>
    `${room} (${users} ${users === 1 ? 'person' : 'people'})${topic ? ` — ${topic}` : ''}`,
  usersIn: (room: string, users: string[]) => `In ${room}: ${users.join(', ')}`,
  searchLabel: 'Search messages',
  searchPlaceholder: 'Search…',
  searchResults: (query: string, n: number) => `${n} result${n === 1 ? '' : 's'} for “${query}”`,
  closeSearch: 'Close search',
  notifyButton: 'Enable notifications',
  notifyOn: 'Notifications on',
  mentionTitle: (from: string, room: string) => `${from} in ${room}`,
  privateTitle: (from: string) => `${from} (private)`,
  unknownCommand: (c: string) => `Unknown command ${c}. Type /help for the list.`,
  usage: (u: string) => `Usage: ${u}`,
  help: [
    '/join #room — enter a room (created if new)',
    '/part [#room] [reason] — leave a room',
    '/msg name text — private message',
    '/me text — action',
    '/nick name — change your name',
    '/topic [text] — show or set the topic',
    '/who — who is in this room',
    '/rooms — list rooms',
    '/search words — search this room',
    '/quit — leave the chat',
  ],
  you: 'you',
  leaveReasons: {
    quit: 'quit',
    disconnect: 'connection lost',
    timeout: 'timed out',
    flood: 'flooding',
    slow: 'too slow',
    replaced: 'reconnected',
    shutdown: 'server stopping',
  } as Record<string, string>,
  quitDone: 'You left the chat.',
  joinAgain: 'Join again',
  about: 'About this server',
  fingerprint: (f: string) => `TLS certificate: ${f} (compare it with what papo server and papo client show)`,
  noTls: 'Not encrypted: this server runs without --tls.',
  attach: 'Attach a file',
  dropHere: 'Drop to send here',
  hashing: 'checking…',
  waitingSlot: 'asking the server…',
  uploading: (pct: number, rate: string) => `${pct}% · ${rate}/s`,
  cancel: 'Cancel',
  download: 'Download',
  sentFile: (from: string) => `${from} sent`,
  sentYou: (from: string) => `${from} sent you`,
  uploadFailed: (name: string, why: string) => `Sending ${name} failed: ${why}`,
  uploadCancelled: (name: string) => `Sending ${name} was cancelled.`,
  noConversation: 'Open a room or a private conversation first.',
  connectionLost: 'the connection was lost',
};

export type Texts = typeof en;

const pt: Texts = {
  lang: 'pt',
  appName: 'papo',
  loginTitle: 'Entrar no bate-papo',
  nameLabel: 'Seu nome',
  passwordLabel: 'Senha',
  accountDone: (of: string, name: string) =>
    of === 'register'
      ? `${name} agora é registrado para você.`
      : of === 'password'
        ? 'Senha trocada.'
        : `O registro de ${name} foi removido.`,
  whois: (w: {
    name: string;
    registered: boolean;
    since?: number;
    fingerprint?: string;
    online: boolean;
    idleSeconds?: number;
  }) => [
    w.registered
      ? `${w.name}: registrado desde ${new Date(w.since ?? 0).toLocaleString('pt-BR')}`
      : `${w.name}: não registrado`,
    ...(w.fingerprint ? [`chave ${w.fingerprint}`] : []),
    w.online ? `online, inativo há ${w.idleSeconds ?? 0} s` : 'offline',
  ],
  passwordFor: (name: string) => `${name} é registrado: digite a senha.`,
  choosePassword: (name: string) =>
    `Este servidor só aceita nomes registrados: escolha uma senha para ${name}.`,
  joinButton: 'Entrar',
  connecting: 'Conectando…',
  connected: 'Conectado',
  reconnectingIn: (s) => `Conexão perdida. Reconectando em ${s} s…`,
  reconnectNow: 'Reconectar agora',
  replaced: 'Este nome foi assumido por outra aba ou outro aparelho.',
  nameLost:
    'O servidor ficou isolado do resto do chat e alguém pegou seu nome nesse meio-tempo: escolha outro.',
  offlineOutbox: (n) => `${n} mensage${n === 1 ? 'm' : 'ns'} aguardando envio`,
  menu: 'Menu',
  closeMenu: 'Fechar menu',
  rooms: 'Salas',
  users: 'Pessoas aqui',
  privates: 'Conversas privadas',
  joinRoomLabel: 'Entrar ou criar uma sala',
  joinRoomPlaceholder: '#sala',
  unread: (n) => `${n} não lida${n === 1 ? '' : 's'}`,
  messageLabel: (target) => `Mensagem para ${target}`,
  send: 'Enviar',
  sending: 'enviando…',
  notSent: 'não enviada',
  newMessages: 'Mensagens novas',
  historyGap: 'Algumas mensagens antigas expiraram do histórico e não podem ser mostradas.',
  historyStart: 'Início do histórico',
  loadingOlder: 'Carregando mensagens anteriores…',
  joined: (name, room) => `${name} entrou em ${room}`,
  parted: (name, room, reason) => `${name} saiu de ${room}${reason ? ` (${reason})` : ''}`,
  left: (name, reason) => `${name} saiu do bate-papo (${reason})`,
  presenceJoined: (names, n) =>
    `${n} ${n === 1 ? 'pessoa entrou' : 'pessoas entraram'}: ${names.join(', ')}${n > names.length ? ` e mais ${n - names.length}` : ''}`,
  presenceLeft: (names, n) =>
    `${n} ${n === 1 ? 'pessoa saiu' : 'pessoas saíram'}: ${names.join(', ')}${n > names.length ? ` e mais ${n - names.length}` : ''}`,
  usersCount: (n) => `Pessoas aqui (${n})`,
  renamed: (oldName, newName) => `${oldName} agora é ${newName}`,
  topicSet: (by, text) => `${by} mudou o tópico: ${text}`,
  topicIs: (room, text) => (text ? `Tópico de ${room}: ${text}` : `${room} não tem tópico`),
  youJoined: (room) => `Você está em ${room}`,
  roomsList: 'Salas neste servidor:',
  roomLine: (room, users, topic) =>
    `${room} (${users} ${users === 1 ? 'pessoa' : 'pessoas'})${topic ? ` — ${topic}` : ''}`,
  usersIn: (room, users) => `Em ${room}: ${users.join(', ')}`,
  searchLabel: 'Buscar mensagens',
  searchPlaceholder: 'Buscar…',
  searchResults: (query, n) => `${n} resultado${n === 1 ? '' : 's'} para “${query}”`,
  closeSearch: 'Fechar busca',
  notifyButton: 'Ativar notificações',
  notifyOn: 'Notificações ativadas',
  mentionTitle: (from, room) => `${from} em ${room}`,
  privateTitle: (from) => `${from} (privado)`,
  unknownCommand: (c) => `Comando desconhecido ${c}. Digite /help para a lista.`,
  usage: (u) => `Uso: ${u}`,
  help: [
    '/join #sala — entrar numa sala (criada se for nova)',
    '/part [#sala] [motivo] — sair de uma sala',
    '/msg nome texto — mensagem privada',
    '/me texto — ação',
    '/nick nome — mudar de nome',
    '/topic [texto] — ver ou mudar o tópico',
    '/who — quem está nesta sala',
    '/rooms — listar as salas',
    '/search palavras — buscar nesta sala',
    '/quit — sair do bate-papo',
  ],
  you: 'você',
  leaveReasons: {
    quit: 'saiu',
    disconnect: 'conexão perdida',
    timeout: 'tempo esgotado',
    flood: 'excesso de mensagens',
    slow: 'lento demais',
    replaced: 'reconectou',
    shutdown: 'servidor parando',
  },
  quitDone: 'Você saiu do bate-papo.',
  joinAgain: 'Entrar de novo',
  about: 'Sobre este servidor',
  fingerprint: (f: string) => `Certificado TLS: ${f} (compare com o que papo server e papo client mostram)`,
  noTls: 'Sem criptografia: este servidor roda sem --tls.',
  attach: 'Anexar um arquivo',
  dropHere: 'Solte para enviar aqui',
  hashing: 'verificando…',
  waitingSlot: 'pedindo ao servidor…',
  uploading: (pct: number, rate: string) => `${pct}% · ${rate}/s`,
  cancel: 'Cancelar',
  download: 'Baixar',
  sentFile: (from: string) => `${from} enviou`,
  sentYou: (from: string) => `${from} enviou para você`,
  uploadFailed: (name: string, why: string) => `O envio de ${name} falhou: ${why}`,
  uploadCancelled: (name: string) => `O envio de ${name} foi cancelado.`,
  noConversation: 'Abra uma sala ou uma conversa privada primeiro.',
  connectionLost: 'a conexão caiu',
};

/** The texts for the browser's preferred language: Portuguese for any `pt`, else English. */
export function textsFor(languages: readonly string[]): Texts {
  for (const l of languages) {
    const lower = l.toLowerCase();
    if (lower.startsWith('pt')) return pt;
    if (lower.startsWith('en')) return en;
  }
  return en;
}
