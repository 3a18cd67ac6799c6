import type { PasswordProblem } from '../core/errors.js';
import type { AccountEvent, ChallengeEvent, ErrorDetail, WhoisEvent } from '../core/events.js';
import { formatStamp } from './render.js';
import { codePointLabel, type Lang } from './texts.js';

/** Error codes of accounts and look-alike names (docs/PROTOCOL.md, "Accounts"). */
export type AccountErrorCode =
  | 'NAME_REGISTERED'
  | 'NAME_CONFUSABLE'
  | 'NAME_RESERVED'
  | 'LOGIN_FAILED'
  | 'LOGIN_THROTTLED'
  | 'ACCOUNT_REQUIRED'
  | 'NOT_REGISTERED'
  | 'PASSWORD_INVALID'
  | 'ACCOUNTS_UNAVAILABLE'
  | 'REGISTRATION_CLOSED';

const nameOf = (d: ErrorDetail) => (d.kind === 'name_taken' || d.kind === 'confusable' ? d.name : '');
const seconds = (d: ErrorDetail) => (d.kind === 'seconds' ? d.seconds : 0);

function passwordProblem(lang: Lang, p: PasswordProblem | undefined): string {
  if (!p) return '';
  switch (p.kind) {
    case 'empty':
      return lang === 'pt' ? 'está vazia' : 'it is empty';
    case 'too_long':
      return lang === 'pt'
        ? `tem ${p.bytes} bytes, o limite é ${p.max}`
        : `it has ${p.bytes} bytes, the limit is ${p.max}`;
    case 'control':
      return lang === 'pt'
        ? `o caractere de controle ${codePointLabel(p.codePoint)} não é permitido`
        : `the control character ${codePointLabel(p.codePoint)} is not allowed`;
  }
}

/** Seconds as people read them: `42 s`, `15 min`. */
function duration(lang: Lang, s: number): string {
  if (s < 120) return `${s} s`;
  return s < 7200 || lang === 'en' ? `${Math.ceil(s / 60)} min` : `${Math.floor(s / 3600)} h`;
}

export function accountErrorText(lang: Lang, code: AccountErrorCode, d: ErrorDetail): string {
  const pt = lang === 'pt';
  switch (code) {
    case 'NAME_REGISTERED':
      return pt
        ? `O nome ${nameOf(d)} é registrado e não é seu; escolha outro.`
        : `The name ${nameOf(d)} is registered and not yours; choose another.`;
    case 'NAME_CONFUSABLE':
      return pt
        ? `Esse nome se parece demais com ${nameOf(d)}; escolha outro.`
        : `That name looks too much like ${nameOf(d)}; choose another.`;
    case 'NAME_RESERVED':
      return pt
        ? `O nome ${nameOf(d)} é reservado; escolha outro.`
        : `The name ${nameOf(d)} is reserved; choose another.`;
    case 'LOGIN_FAILED':
      return pt ? 'Senha ou chave errada.' : 'Wrong password or key.';
    case 'LOGIN_THROTTLED':
      return pt
        ? `Tentativas demais: tente de novo em ${duration(lang, seconds(d))}.`
        : `Too many failed logins: try again in ${duration(lang, seconds(d))}.`;
    case 'ACCOUNT_REQUIRED':
      return pt
        ? 'Este servidor só aceita nomes registrados, e o registro está fechado.'
        : 'This server only admits registered names, and registration is closed.';
    case 'NOT_REGISTERED':
      return pt
        ? 'Você não entrou com um nome registrado (/register registra o seu).'
        : 'You are not logged in to a registered name (/register registers yours).';
    case 'PASSWORD_INVALID':
      return pt
        ? `Senha não aceita: ${passwordProblem(lang, d.kind === 'password' ? d.problem : undefined)}.`
        : `Password not accepted: ${passwordProblem(lang, d.kind === 'password' ? d.problem : undefined)}.`;
    case 'REGISTRATION_CLOSED':
      return pt ? 'Este servidor não aceita novos registros.' : 'This server takes no new registrations.';
    case 'ACCOUNTS_UNAVAILABLE':
      return pt
        ? 'As contas não estão disponíveis agora; tente mais tarde.'
        : 'Accounts are unavailable right now; try later.';
  }
}

/** A challenge, for plain users: what to type next (the prompt itself is written without a line end). */
export function challengeLines(lang: Lang, e: ChallengeEvent): string[] {
  const pt = lang === 'pt';
  if (e.register)
    return [
      pt
        ? `*** Este servidor só aceita nomes registrados: escolha uma senha para ${e.name}.`
        : `*** This server only admits registered names: choose a password for ${e.name}.`,
    ];
  if (e.password)
    return [
      pt
        ? `*** O nome ${e.name} é registrado: digite a senha (ou Enter para outro nome).`
        : `*** The name ${e.name} is registered: type its password (or Enter for another name).`,
    ];
  return [
    pt
      ? `*** O nome ${e.name} é registrado a uma chave: entre com papo client. Escolha outro nome.`
      : `*** The name ${e.name} is registered to a key: log in with papo client. Choose another name.`,
  ];
}

export function accountLines(lang: Lang, e: AccountEvent): string[] {
  const pt = lang === 'pt';
  switch (e.of) {
    case 'register': {
      const key = e.fingerprint ? (pt ? ` (chave ${e.fingerprint})` : ` (key ${e.fingerprint})`) : '';
      return [
        pt
          ? `*** O nome ${e.name} agora é registrado para você${key}.`
          : `*** The name ${e.name} is now registered to you${key}.`,
      ];
    }
    case 'password':
      return [pt ? '*** Senha trocada.' : '*** Password changed.'];
    case 'unregister':
      return [pt ? `*** O registro de ${e.name} foi removido.` : `*** ${e.name} is no longer registered.`];
  }
}

export function whoisLines(lang: Lang, e: WhoisEvent): string[] {
  const pt = lang === 'pt';
  const lines: string[] = [];
  if (e.registered) {
    const since = e.since === undefined ? '' : formatStamp(e.since);
    lines.push(pt ? `*** ${e.name}: registrado desde ${since}` : `*** ${e.name}: registered since ${since}`);
    if (e.fingerprint) lines.push(pt ? `***   chave ${e.fingerprint}` : `***   key ${e.fingerprint}`);
  } else lines.push(pt ? `*** ${e.name}: não registrado` : `*** ${e.name}: not registered`);
  if (e.online) {
    const idle = duration(lang, e.idleSeconds ?? 0);
    lines.push(pt ? `***   online, inativo há ${idle}` : `***   online, idle ${idle}`);
  } else lines.push(pt ? '***   offline' : '***   not online');
  return lines;
}
