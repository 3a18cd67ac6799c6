import type { ErrorCode } from '../core/errors.js';
import type { BansEvent, ErrorDetail, ModerationEvent, TargetProblem } from '../core/events.js';
import type { Lang } from './texts.js';

/** What moderation says to people, in each language (docs/PROTOCOL.md, "Moderation"). */
export interface ModerationTexts {
  /** The notice everyone in the room reads. */
  notice(event: ModerationEvent): string;
  bans(event: BansEvent): string[];
  error(code: ModerationErrorCode, d: ErrorDetail): string;
}

export type ModerationErrorCode = Extract<ErrorCode, 'NOT_OPERATOR' | 'BAD_TARGET' | 'BANNED' | 'MUTED'>;

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM UTC`: a ban's end reads the same wherever the reader is. */
export function utcStamp(ts: number): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return '?';
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())} UTC`;
}

const why = (reason: string) => (reason ? ` (${reason})` : '');

function problemEn(p: TargetProblem): string {
  switch (p.kind) {
    case 'duration':
      return p.why === 'too_long'
        ? `the duration ${p.text} is longer than the limit of 10 years (use none for a permanent one)`
        : `${p.text} is not a duration: use a number and s, m, h, d or w (10m, 2h, 7d), or none`;
    case 'address':
      return `${p.text} is not an IPv4 or IPv6 address or CIDR range (like 203.0.113.7 or 2001:db8::/32)`;
    case 'self':
      return 'you cannot do that to yourself';
    case 'own_address':
      return `${p.mask} covers your own address`;
    case 'operator':
      return `${p.name} is a server operator`;
    case 'not_in_room':
      return `${p.name} is not in ${p.room}`;
    case 'not_banned':
      return `nothing in force is banned under ${p.target}; /bans lists the bans`;
    case 'not_muted':
      return `${p.name} is not muted`;
  }
}

function problemPt(p: TargetProblem): string {
  switch (p.kind) {
    case 'duration':
      return p.why === 'too_long'
        ? `a duração ${p.text} passa do limite de 10 anos (use none para uma permanente)`
        : `${p.text} não é uma duração: use um número e s, m, h, d ou w (10m, 2h, 7d), ou none`;
    case 'address':
      return `${p.text} não é um endereço IPv4 ou IPv6 nem uma faixa CIDR (como 203.0.113.7 ou 2001:db8::/32)`;
    case 'self':
      return 'você não pode fazer isso consigo mesmo';
    case 'own_address':
      return `${p.mask} inclui o seu próprio endereço`;
    case 'operator':
      return `${p.name} é operador do servidor`;
    case 'not_in_room':
      return `${p.name} não está em ${p.room}`;
    case 'not_banned':
      return `não há banimento em vigor para ${p.target}; /bans lista os banimentos`;
    case 'not_muted':
      return `${p.name} não está silenciado`;
  }
}

const en: ModerationTexts = {
  notice: (e) => {
    const until = (u: number | null) => (u === null ? 'permanently' : `until ${utcStamp(u)}`);
    switch (e.type) {
      case 'kick':
        return e.room === undefined
          ? `*** ${e.name} was kicked off the server by ${e.by}${why(e.reason)}.`
          : `*** ${e.name} was kicked out of ${e.room} by ${e.by}${why(e.reason)}.`;
      case 'ban':
        return `*** ${e.target} was banned by ${e.by} ${until(e.until)}${why(e.reason)}.`;
      case 'unban':
        return `*** ${e.by} lifted the ban on ${e.target}.`;
      case 'mute':
        return `*** ${e.name} was muted by ${e.by} ${until(e.until)}${why(e.reason)}: can read, cannot post.`;
      case 'unmute':
        return `*** ${e.by} unmuted ${e.name}.`;
      case 'op':
        return `*** ${e.by} made ${e.name} an operator of ${e.room}.`;
      case 'deop':
        return `*** ${e.by} removed ${e.name} as an operator of ${e.room}.`;
    }
  },
  bans: (e) => {
    const until = (u: number | null) => (u === null ? 'permanent' : `until ${utcStamp(u)}`);
    return [
      `*** Bans (${e.bans.length}):`,
      ...e.bans.map(
        (b) =>
          `***   ${b.target}${b.masks.length > 0 && b.masks[0] !== b.target ? ` [${b.masks.join(', ')}]` : ''}: by ${b.by}, ${until(b.until)}${why(b.reason)}`,
      ),
      `*** Mutes (${e.mutes.length}):`,
      ...e.mutes.map((m) => `***   ${m.name}: by ${m.by}, ${until(m.until)}${why(m.reason)}`),
    ];
  },
  error: (code, d) => {
    switch (code) {
      case 'NOT_OPERATOR':
        return d.kind === 'operator' && d.room !== null
          ? `Only an operator of ${d.room} can do that (its creator, a server operator, or someone they named with /op).`
          : 'Only a server operator can do that (docs/SERVER.md, "Operators").';
      case 'BAD_TARGET':
        return `Not done: ${d.kind === 'target' ? problemEn(d.problem) : '?'}.`;
      case 'BANNED':
        return d.kind === 'ban'
          ? `You are banned from this server ${d.until === null ? 'permanently' : `until ${utcStamp(d.until)}`}${why(d.reason)}.`
          : 'You are banned from this server.';
      case 'MUTED':
        return `Not sent: you are muted ${d.kind === 'mute' && d.until !== null ? `until ${utcStamp(d.until)}` : 'by an operator'}; you can read, but not post.`;
    }
  },
};

const pt: ModerationTexts = {
  notice: (e) => {
    const until = (u: number | null) => (u === null ? 'permanentemente' : `até ${utcStamp(u)}`);
    switch (e.type) {
      case 'kick':
        return e.room === undefined
          ? `*** ${e.name} foi expulso do servidor por ${e.by}${why(e.reason)}.`
          : `*** ${e.name} foi expulso de ${e.room} por ${e.by}${why(e.reason)}.`;
      case 'ban':
        return `*** ${e.target} foi banido por ${e.by} ${until(e.until)}${why(e.reason)}.`;
      case 'unban':
        return `*** ${e.by} retirou o banimento de ${e.target}.`;
      case 'mute':
        return `*** ${e.name} foi silenciado por ${e.by} ${until(e.until)}${why(e.reason)}: pode ler, não pode escrever.`;
      case 'unmute':
        return `*** ${e.by} tirou o silêncio de ${e.name}.`;
      case 'op':
        return `*** ${e.by} fez de ${e.name} operador de ${e.room}.`;
      case 'deop':
        return `*** ${e.by} tirou de ${e.name} o papel de operador de ${e.room}.`;
    }
  },
  bans: (e) => {
    const until = (u: number | null) => (u === null ? 'permanente' : `até ${utcStamp(u)}`);
    return [
      `*** Banimentos (${e.bans.length}):`,
      ...e.bans.map(
        (b) =>
          `***   ${b.target}${b.masks.length > 0 && b.masks[0] !== b.target ? ` [${b.masks.join(', ')}]` : ''}: por ${b.by}, ${until(b.until)}${why(b.reason)}`,
      ),
      `*** Silenciados (${e.mutes.length}):`,
      ...e.mutes.map((m) => `***   ${m.name}: por ${m.by}, ${until(m.until)}${why(m.reason)}`),
    ];
  },
  error: (code, d) => {
    switch (code) {
      case 'NOT_OPERATOR':
        return d.kind === 'operator' && d.room !== null
          ? `Só um operador de ${d.room} pode fazer isso (quem a criou, um operador do servidor, ou quem eles nomearam com /op).`
          : 'Só um operador do servidor pode fazer isso (docs/SERVER.md, "Operators").';
      case 'BAD_TARGET':
        return `Não feito: ${d.kind === 'target' ? problemPt(d.problem) : '?'}.`;
      case 'BANNED':
        return d.kind === 'ban'
          ? `Você está banido deste servidor ${d.until === null ? 'permanentemente' : `até ${utcStamp(d.until)}`}${why(d.reason)}.`
          : 'Você está banido deste servidor.';
      case 'MUTED':
        return `Não enviado: você está silenciado ${d.kind === 'mute' && d.until !== null ? `até ${utcStamp(d.until)}` : 'por um operador'}; pode ler, mas não escrever.`;
    }
  },
};

export const MODERATION_TEXTS: Record<Lang, ModerationTexts> = { en, pt };
