import type { Lang } from '../../protocol/texts.js';

/** What the client says about file transfers (issue #14), in English and Portuguese. */
export interface FileTexts {
  sendUsage: string;
  getUsage: string;
  sendHelp: string;
  getHelp: string;
  hashing(name: string): string;
  sent(name: string, size: string, target: string): string;
  resumedUpload(name: string, from: string): string;
  saved(path: string, size: string): string;
  resumedDownload(name: string, from: string): string;
  offer(from: string, name: string, size: string, id: number, own: boolean, priv: boolean): string;
  noSuchOffer(id: string): string;
  cannotRead(path: string, why: string): string;
  sendFailed(name: string, why: string): string;
  getFailed(name: string, why: string): string;
  notPapo: string;
}

const en: FileTexts = {
  sendUsage: '/send NAME|#room PATH',
  getUsage: '/get ID|URL [DIR]',
  sendHelp: 'send a file to someone or to a room (resumes after a break)',
  getHelp: 'download a file sent in the chat (default: your Downloads folder)',
  hashing: (n) => `Checking ${n} …`,
  sent: (n, s, t) => `sent ${n} (${s}) to ${t}`,
  resumedUpload: (n, f) => `Resuming the upload of ${n} from ${f}.`,
  saved: (p, s) => `saved ${p} (${s}, sha256 ok)`,
  resumedDownload: (n, f) => `Resuming the download of ${n} from ${f}.`,
  offer: (from, n, s, id, own, priv) =>
    `${own ? 'you' : from} sent ${priv && !own ? 'you ' : ''}${n} (${s}) [#${id} — /get ${id}]`,
  noSuchOffer: (id) =>
    `no file #${id}: unknown, expired, or not for you (/get takes the number shown with a file, or its URL)`,
  cannotRead: (p, why) => `cannot read ${p}: ${why}`,
  sendFailed: (n, why) => `sending ${n} failed: ${why}`,
  getFailed: (n, why) => `downloading ${n} failed: ${why}`,
  notPapo: 'files can only be sent through a papo server',
};

const pt: FileTexts = {
  sendUsage: '/send NOME|#sala CAMINHO',
  getUsage: '/get ID|URL [PASTA]',
  sendHelp: 'envia um arquivo a alguém ou a uma sala (retoma após uma queda)',
  getHelp: 'baixa um arquivo enviado no chat (padrão: sua pasta de Downloads)',
  hashing: (n) => `Verificando ${n} …`,
  sent: (n, s, t) => `enviado ${n} (${s}) para ${t}`,
  resumedUpload: (n, f) => `Retomando o envio de ${n} a partir de ${f}.`,
  saved: (p, s) => `salvo ${p} (${s}, sha256 ok)`,
  resumedDownload: (n, f) => `Retomando o download de ${n} a partir de ${f}.`,
  offer: (from, n, s, id, own, priv) =>
    `${own ? 'você' : from} enviou ${priv && !own ? 'para você ' : ''}${n} (${s}) [#${id} — /get ${id}]`,
  noSuchOffer: (id) =>
    `nenhum arquivo #${id}: desconhecido, expirado ou não destinado a você (/get usa o número mostrado com um arquivo, ou a URL dele)`,
  cannotRead: (p, why) => `não foi possível ler ${p}: ${why}`,
  sendFailed: (n, why) => `o envio de ${n} falhou: ${why}`,
  getFailed: (n, why) => `o download de ${n} falhou: ${why}`,
  notPapo: 'arquivos só podem ser enviados por um servidor papo',
};

export const FILE_TEXTS: Record<Lang, FileTexts> = { en, pt };
