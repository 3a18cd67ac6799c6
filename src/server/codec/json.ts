import { MAX_MESSAGE_BYTES, sanitizeText } from '../../core/text.js';
import { MAX_NAME_CHARS } from '../../core/names.js';
import { parseClientMessage } from '../../protocol/json-codec.js';
import { PROTOCOL_VERSIONS, type ClientMessage } from '../../protocol/json-messages.js';
import type { DecodedLine } from '../../protocol/line-decoder.js';
import { isLang } from '../../protocol/texts.js';
import type { Codec, CodecHost } from './codec.js';

/** Longest JSON line a client may send (a 1024-byte text can take six times that once escaped). */
export const MAX_JSON_LINE_BYTES = 16 * 1024;

type Hello = Extract<ClientMessage, { type: 'hello' }>;

/** The JSON-lines protocol of programs and the browser (docs/PROTOCOL.md). */
export const JSON_LINES: Codec = {
  format: 'json',
  onLine(host: CodecHost, line: DecodedLine): void {
    if (line.kind === 'too_long') {
      return host.sendError('LINE_TOO_LONG', { kind: 'size', bytes: line.bytes, limit: MAX_JSON_LINE_BYTES });
    }
    if (line.text.trim().length === 0) return;
    const parsed = parseClientMessage(line.text);
    if (!parsed.ok) {
      // The reason can quote the client's input: it goes through the sanitiser.
      return host.sendError(parsed.code, { kind: 'text', text: sanitizeText(parsed.reason) }, parsed.ref);
    }
    const m = parsed.message;
    switch (m.type) {
      case 'hello':
        return hello(host, m);
      case 'pong':
        return;
      default:
        return host.act(m);
    }
  },
};

/** Answers a `hello` (the first one with the server's own), then joins if it names the user. */
export function hello(host: CodecHost, m: Hello): void {
  if (isLang(m.lang)) host.lang = m.lang;
  if (!host.greeted) {
    host.greeted = true;
    if (!PROTOCOL_VERSIONS.includes(m.version)) {
      host.sendError('UNSUPPORTED_VERSION', { kind: 'text', text: String(m.version) });
      return host.refuse();
    }
    host.writeJson({
      type: 'hello',
      version: m.version,
      server: `papo/${host.version}`,
      limits: { messageBytes: MAX_MESSAGE_BYTES, nameChars: MAX_NAME_CHARS, lineBytes: MAX_JSON_LINE_BYTES },
      heartbeatSeconds: host.heartbeatSeconds,
      defaultRoom: host.defaultRoom,
    });
  }
  if (m.name === undefined) return;
  const join = { type: 'join', name: m.name } as const;
  host.act({
    ...join,
    ...(m.token === undefined ? {} : { token: m.token }),
    ...(m.since === undefined ? {} : { since: m.since }),
    ...(m.password === undefined ? {} : { password: m.password }),
    ...(m.key === undefined ? {} : { key: m.key }),
  });
}
