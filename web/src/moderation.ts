import type { ClientMessage, ServerOf } from './protocol.js';

/** An operator's request, as the composer sends it (docs/PROTOCOL.md, "Moderation"). */
export type ModerationRequest = Extract<
  ClientMessage,
  { type: 'kick' | 'ban' | 'unban' | 'bans' | 'mute' | 'unmute' | 'op' | 'deop' }
>;

/** A moderation notice from the server. */
export type ModerationNotice = ServerOf<'kick' | 'ban' | 'unban' | 'mute' | 'unmute' | 'op' | 'deop'>;

/** Usage lines, for /help, Tab completion and usage errors. */
export const MODERATION_COMMANDS: Readonly<Record<string, string>> = {
  '/kick': '/kick [--server] name [reason]',
  '/ban': '/ban name|address[/bits] [duration] [reason]',
  '/unban': '/unban name|address[/bits]',
  '/bans': '/bans',
  '/mute': '/mute name [duration] [reason]',
  '/unmute': '/unmute name',
  '/op': '/op name',
  '/deop': '/deop name',
};

/** As the server reads a duration word (the server checks it; this only tells it from a reason). */
const DURATION = /^(none|permanent|perm|never|0|(\d+[a-z]+)+)$/i;

function words(rest: string): [string, string] {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(rest.trim());
  return m ? [m[1] ?? '', (m[2] ?? '').trim()] : ['', ''];
}

/**
 * The request for a moderation command (`/kick`…), `'usage'` when its arguments are missing, or
 * null when `command` is not one. `room`: the conversation's room, where room commands act.
 */
export function parseModeration(
  command: string,
  rest: string,
  room: string | undefined,
): ModerationRequest | 'usage' | null {
  if (!(command in MODERATION_COMMANDS)) return null;
  const [first, more] = words(rest);
  const type = command.slice(1) as ModerationRequest['type'];
  if (type === 'bans') return { type };
  if (!first) return 'usage';
  const reason = (text: string) => (text ? { reason: text } : {});
  switch (type) {
    case 'kick': {
      if (first !== '--server') return { type, name: first, room, ...reason(more) };
      const [name, why] = words(more);
      return name ? { type, name, server: true, ...reason(why) } : 'usage';
    }
    case 'ban':
    case 'mute': {
      const [second, tail] = words(more);
      const timed = second !== '' && DURATION.test(second);
      const extra = timed ? { duration: second, ...reason(tail) } : reason(more);
      return type === 'ban' ? { type, target: first, room, ...extra } : { type, name: first, room, ...extra };
    }
    case 'unban':
      return { type, target: first, room };
    case 'unmute':
    case 'op':
    case 'deop':
      return { type, name: first, room };
  }
}

const pad2 = (n: number) => String(n).padStart(2, '0');
function utc(ts: number | null, lang: string): string {
  if (ts === null) return lang === 'pt' ? 'permanentemente' : 'permanently';
  const d = new Date(ts);
  const when = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())} UTC`;
  return lang === 'pt' ? `até ${when}` : `until ${when}`;
}

/** The line a moderation notice shows, in `lang` (`en` or `pt`). */
export function moderationText(m: ModerationNotice, lang: string): string {
  const why = 'reason' in m && m.reason ? ` (${m.reason})` : '';
  const pt = lang === 'pt';
  switch (m.type) {
    case 'kick':
      if (m.room === undefined)
        return pt
          ? `${m.name} foi expulso do servidor por ${m.by}${why}`
          : `${m.name} was kicked off the server by ${m.by}${why}`;
      return pt
        ? `${m.name} foi expulso de ${m.room} por ${m.by}${why}`
        : `${m.name} was kicked out of ${m.room} by ${m.by}${why}`;
    case 'ban':
      return pt
        ? `${m.target} foi banido por ${m.by} ${utc(m.until, lang)}${why}`
        : `${m.target} was banned by ${m.by} ${utc(m.until, lang)}${why}`;
    case 'unban':
      return pt ? `${m.by} retirou o banimento de ${m.target}` : `${m.by} lifted the ban on ${m.target}`;
    case 'mute':
      return pt
        ? `${m.name} foi silenciado por ${m.by} ${utc(m.until, lang)}${why}: pode ler, não pode escrever`
        : `${m.name} was muted by ${m.by} ${utc(m.until, lang)}${why}: can read, cannot post`;
    case 'unmute':
      return pt ? `${m.by} tirou o silêncio de ${m.name}` : `${m.by} unmuted ${m.name}`;
    case 'op':
      return pt
        ? `${m.by} fez de ${m.name} operador de ${m.room}`
        : `${m.by} made ${m.name} an operator of ${m.room}`;
    case 'deop':
      return pt
        ? `${m.by} tirou de ${m.name} o papel de operador de ${m.room}`
        : `${m.by} removed ${m.name} as an operator of ${m.room}`;
  }
}

/** The lines of a `bans` answer. */
export function bansText(m: ServerOf<'bans'>, lang: string): string[] {
  const pt = lang === 'pt';
  return [
    `${pt ? 'Banimentos' : 'Bans'} (${m.bans.length})`,
    ...m.bans.map(
      (b) =>
        `  ${b.target}${b.masks.length > 0 && b.masks[0] !== b.target ? ` [${b.masks.join(', ')}]` : ''}: ${b.by}, ${utc(b.until, lang)}${b.reason ? ` (${b.reason})` : ''}`,
    ),
    `${pt ? 'Silenciados' : 'Mutes'} (${m.mutes.length})`,
    ...m.mutes.map((x) => `  ${x.name}: ${x.by}, ${utc(x.until, lang)}${x.reason ? ` (${x.reason})` : ''}`),
  ];
}
