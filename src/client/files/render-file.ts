import { nameKey } from '../../core/names.js';
import { sanitizeText } from '../../core/text.js';
import type { Lang } from '../../protocol/texts.js';
import { roomKey } from '../rooms.js';
import { cleanFileName } from '../../core/files.js';
import { formatBytes } from '../../protocol/format-bytes.js';
import type { FileMessage } from './messages.js';
import { CLIENT_TEXTS } from '../texts.js';
import { FILE_TEXTS } from './texts.js';

/**
 * A `file` event as one line of text, with the id `/get` takes:
 * `[#ops] ana sent relatorio.pdf (2.1 MB) [#12 — /get 12]`; `[#room] ` only for a room other
 * than the current one, as for messages. Every string from the server is sanitised.
 */
export function fileOfferText(
  m: FileMessage,
  lang: Lang,
  ownName: string | null,
  currentRoom: string | null,
): string {
  const own = ownName !== null && nameKey(m.from) === nameKey(ownName);
  const priv = m.to !== undefined;
  const text = FILE_TEXTS[lang].offer(
    sanitizeText(m.from),
    cleanFileName(m.name), // as it would be saved: no bidi trick in what is shown either
    formatBytes(m.size),
    m.id,
    own,
    priv,
  );
  const other = m.room !== undefined && currentRoom !== null && roomKey(m.room) !== roomKey(currentRoom);
  const tag = priv ? `${CLIENT_TEXTS[lang].privateTag} ` : other ? `[${sanitizeText(m.room ?? '')}] ` : '';
  return `${tag}${text}`;
}
