import type { ClientAction } from '../core/events.js';
import { looksLikeDuration } from '../core/moderation/duration.js';
import type { Command } from './plain-commands.js';

/** One word (a name, an address), then the rest. */
const WORD_AND_REST = /^(\S+)(?:\s+([\s\S]*))?$/;

function wordAndRest(args: string): { word: string; rest: string } | null {
  const m = WORD_AND_REST.exec(args);
  return m ? { word: m[1] as string, rest: (m[2] ?? '').trim() } : null;
}

/** `TARGET [duration] [reason]`: the second word is a duration only when it reads as one. */
function targetDurationReason(args: string): { target: string; duration?: string; reason?: string } | null {
  const first = wordAndRest(args);
  if (!first) return null;
  const out: { target: string; duration?: string; reason?: string } = { target: first.word };
  const second = wordAndRest(first.rest);
  if (second && looksLikeDuration(second.word)) {
    out.duration = second.word;
    if (second.rest) out.reason = second.rest;
  } else if (first.rest) out.reason = first.rest;
  return out;
}

const oneName = (args: string): string | null => (args && !/\s/.test(args) ? args : null);

/** The operators' slash commands (docs/PROTOCOL.md, "Moderation"); part of COMMANDS and /help. */
export const MODERATION_COMMANDS: readonly Command[] = [
  {
    name: 'kick',
    usage: { en: '/kick [--server] NAME [reason]', pt: '/kick [--server] NOME [motivo]' },
    help: {
      en: 'operators: put NAME out of this room (--server: off the server)',
      pt: 'operadores: tira NOME desta sala (--server: do servidor)',
    },
    parse: (args, room): ClientAction | null => {
      const server = /^--server(\s|$)/.test(args);
      const r = wordAndRest(server ? args.slice(8).trim() : args);
      if (!r) return null;
      const action: ClientAction = server
        ? { type: 'kick', name: r.word, server: true }
        : { type: 'kick', name: r.word, room };
      return r.rest ? { ...action, reason: r.rest } : action;
    },
  },
  {
    name: 'ban',
    usage: {
      en: '/ban NAME|ADDRESS[/BITS] [duration] [reason]',
      pt: '/ban NOME|ENDEREÇO[/BITS] [duração] [motivo]',
    },
    help: {
      en: 'server operators: ban a name (and its address) or an address range; duration like 10m, 2h, 7d (default: none, permanent)',
      pt: 'operadores do servidor: bane um nome (e seu endereço) ou uma faixa de endereços; duração como 10m, 2h, 7d (padrão: none, permanente)',
    },
    parse: (args, room) => {
      const p = targetDurationReason(args);
      return p ? { type: 'ban', ...p, room } : null;
    },
  },
  {
    name: 'unban',
    usage: { en: '/unban NAME|ADDRESS[/BITS]', pt: '/unban NOME|ENDEREÇO[/BITS]' },
    help: { en: 'server operators: lift a ban', pt: 'operadores do servidor: retira um banimento' },
    parse: (args, room) => {
      const target = oneName(args);
      return target ? { type: 'unban', target, room } : null;
    },
  },
  {
    name: 'bans',
    usage: '/bans',
    help: {
      en: 'server operators: list the bans and mutes',
      pt: 'operadores do servidor: lista banimentos e silenciados',
    },
    parse: (args) => (args ? null : { type: 'bans' }),
  },
  {
    name: 'mute',
    usage: { en: '/mute NAME [duration] [reason]', pt: '/mute NOME [duração] [motivo]' },
    help: {
      en: 'server operators: NAME can read but not post (default: until /unmute)',
      pt: 'operadores do servidor: NOME pode ler mas não escrever (padrão: até /unmute)',
    },
    parse: (args, room) => {
      const p = targetDurationReason(args);
      if (!p) return null;
      const { target, ...rest } = p;
      return { type: 'mute', name: target, ...rest, room };
    },
  },
  {
    name: 'unmute',
    usage: { en: '/unmute NAME', pt: '/unmute NOME' },
    help: {
      en: 'server operators: let NAME post again',
      pt: 'operadores do servidor: deixa NOME escrever de novo',
    },
    parse: (args, room) => {
      const name = oneName(args);
      return name ? { type: 'unmute', name, room } : null;
    },
  },
  {
    name: 'op',
    usage: { en: '/op NAME', pt: '/op NOME' },
    help: {
      en: 'room operators: make NAME an operator of this room',
      pt: 'operadores da sala: faz de NOME operador desta sala',
    },
    parse: (args, room) => {
      const name = oneName(args);
      return name ? { type: 'op', name, room } : null;
    },
  },
  {
    name: 'deop',
    usage: { en: '/deop NAME', pt: '/deop NOME' },
    help: {
      en: "room operators: take NAME's operator role in this room",
      pt: 'operadores da sala: tira de NOME o papel de operador desta sala',
    },
    parse: (args, room) => {
      const name = oneName(args);
      return name ? { type: 'deop', name, room } : null;
    },
  },
];
